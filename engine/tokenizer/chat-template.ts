/**
 * Chat templates (Jinja, as in tokenizer_config.json's `chat_template`) rendered with @huggingface/jinja, in the
 * environment `transformers` gives them: `messages`, `add_generation_prompt`, the special tokens' text, and (from
 * @huggingface/jinja itself) the `raise_exception` and `strftime_now` helpers. @huggingface/jinja applies trim_blocks/lstrip_blocks as transformers' jinja2 setup does;
 * the tests check the output against jinja2 configured that way.
 */
import { Template } from '@huggingface/jinja';
import { TokenizerError } from './errors.ts';
import type { ChatMessage, ChatTemplateOptions } from './types.ts';

const compiled = new Map<string, Template>();

function compile(template: string): Template {
  let t = compiled.get(template);
  if (!t) {
    try {
      t = new Template(template);
    } catch (e) {
      throw new TokenizerError(`chat template does not parse: ${(e as Error).message}`);
    }
    compiled.set(template, t);
  }
  return t;
}

export interface SpecialTokenText {
  bos_token?: string | null;
  eos_token?: string | null;
  pad_token?: string | null;
}

/** Renders `messages` with a Jinja chat template. */
export function renderChatTemplate(
  template: string,
  messages: ChatMessage[],
  options: ChatTemplateOptions = {},
  specials: SpecialTokenText = {}
): string {
  for (const [i, m] of messages.entries()) {
    if (typeof m?.role !== 'string' || typeof m.content !== 'string') {
      throw new TokenizerError(`chat message ${i} needs string 'role' and 'content', got ${JSON.stringify(m)}`);
    }
  }
  const context: Record<string, unknown> = {
    ...specials,
    ...options.variables,
    messages,
    add_generation_prompt: options.addGenerationPrompt ?? true,
  };
  try {
    return compile(template).render(context);
  } catch (e) {
    throw new TokenizerError(`chat template failed to render the messages: ${(e as Error).message}`);
  }
}
