/** The engine's view of a config's model: the chat template and the tokenizer a policy is built with. */
import { type PolicyTemplate, templateTagTokens } from '../engine/policy.ts';
import type { TokenizerSpec } from '../engine/tokenizer/types.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';

export function templateOf(config: ExperimentConfig): PolicyTemplate {
  const t = config.template;
  return { systemPrompt: t.systemPrompt, thinkTag: t.thinkTag, answerTag: t.answerTag, prefillThink: t.prefillThink };
}

export function tokenizerSpecOf(config: ExperimentConfig): TokenizerSpec {
  const tok = config.model.tokenizer;
  if (tok.type === 'byte')
    return { type: 'byte', tagTokens: tok.tagTokens ? templateTagTokens(templateOf(config)) : [] };
  return {
    type: 'hf',
    path: tok.path.replace(/^file:\/\//, ''),
    ...(tok.chatTemplate ? { chatTemplateFile: tok.chatTemplate.replace(/^file:\/\//, '') } : {}),
  };
}
