/**
 * A policy as the RL loop holds it between activities: weights, Adam state, tokenizer and the response template,
 * with the three things a step does to it — turn dataset prompts into token ids, sample G responses each, take a
 * GRPO update — and save/load as a checkpoint directory. One object per worker keeps the model in memory between
 * the rollout and the update of a step (DESIGN: worker-specific task queues).
 */
import { loadCheckpoint, type SavedFile, saveCheckpoint } from './checkpoint/checkpoint.ts';
import type { CheckpointFiles } from './checkpoint/files.ts';
import type { SamplingOptions } from './logits-processing.ts';
import { presetConfig, validateConfig } from './model/config.ts';
import { disposeParams, initParams } from './model/init.ts';
import { generate, type Rollout } from './sampler.ts';
import { loadTokenizer } from './tokenizer/load.ts';
import type { ProjectTokenizer, TokenizerSpec } from './tokenizer/types.ts';
import { Adam, type AdamOptions } from './train/adam.ts';
import {
  type GrpoOptions,
  type GrpoProgress,
  type GrpoSample,
  type GrpoStepMetrics,
  grpoUpdateAsync,
} from './train/grpo.ts';
import type { CheckpointMetadata, ModelConfig, Params } from './types.ts';

/** How prompts are shown to the policy and which strings end a response (SPEC §1). */
export interface PolicyTemplate {
  systemPrompt: string;
  thinkTag: string;
  answerTag: string;
  /** The assistant turn starts with the opening think tag already written. */
  prefillThink: boolean;
}

export interface PromptInput {
  prompt: string;
  /** Earlier turns (ShareGPT split), oldest first. */
  context?: { role: string; content: string }[];
}

export interface NewPolicyOptions {
  /** A named preset (engine/model/config.ts) or an explicit shape (its vocabSize is replaced by the tokenizer's). */
  preset?: string;
  shape?: Omit<ModelConfig, 'vocabSize'> & { vocabSize?: number };
  tokenizer: TokenizerSpec;
  seed: number;
  learningRate: number;
}

/** The byte tokenizer's single-id tags for a template: `<think>`, `</think>`, `<answer>`, `</answer>`. */
export function templateTagTokens(t: Pick<PolicyTemplate, 'thinkTag' | 'answerTag'>): string[] {
  return [`<${t.thinkTag}>`, `</${t.thinkTag}>`, `<${t.answerTag}>`, `</${t.answerTag}>`];
}

export class Policy {
  private constructor(
    readonly config: ModelConfig,
    readonly params: Params,
    readonly tokenizer: ProjectTokenizer,
    readonly optimizer: Adam,
    /** Global steps of training this policy has had. */
    public step: number,
    readonly seed: number
  ) {}

  static create(o: NewPolicyOptions): Policy {
    const tokenizer = loadTokenizer(o.tokenizer);
    let config: ModelConfig;
    if (o.shape) config = validateConfig({ ...o.shape, vocabSize: tokenizer.vocabSize } as ModelConfig);
    else if (o.preset) config = presetConfig(o.preset, tokenizer.vocabSize);
    else throw new Error('policy: give a preset or a shape');
    if (config.vocabSize < tokenizer.vocabSize) {
      throw new Error(`policy: vocabSize ${config.vocabSize} is smaller than the tokenizer's ${tokenizer.vocabSize}`);
    }
    const params = initParams(config, o.seed);
    return new Policy(config, params, tokenizer, new Adam(params, { learningRate: o.learningRate }), 0, o.seed);
  }

  /**
   * Loads a checkpoint directory (ours, or a Hugging Face Qwen2/Qwen3 one with a tokenizer given), or a checkpoint's
   * files held in memory. `optimizer: false` leaves a saved optimizer state unread (its moments start at zero, made
   * only if the policy is ever trained or saved): for a policy that only samples.
   */
  static async load(
    from: string | CheckpointFiles,
    o: { learningRate: number; tokenizer?: TokenizerSpec; seed?: number; optimizer?: boolean }
  ): Promise<Policy> {
    const withOptimizer = o.optimizer ?? true;
    const ck = await loadCheckpoint(from, { optimizer: withOptimizer });
    const tokenizer = ck.tokenizer ?? (o.tokenizer ? loadTokenizer(o.tokenizer) : null);
    if (!tokenizer) {
      disposeParams(ck.params);
      for (const m of ck.optimizer?.moments.values() ?? []) m.dispose();
      throw new Error(`checkpoint ${typeof from === 'string' ? from : from.where} has no tokenizer and none was given`);
    }
    const adam = new Adam(ck.params, { learningRate: o.learningRate }, ck.optimizer ?? undefined, !withOptimizer);
    return new Policy(ck.config, ck.params, tokenizer, adam, ck.metadata?.step ?? 0, o.seed ?? ck.metadata?.seed ?? 0);
  }

  async save(
    dir: string,
    meta: Omit<CheckpointMetadata, 'model' | 'tokenizer' | 'step' | 'seed'>
  ): Promise<SavedFile[]> {
    return saveCheckpoint(dir, {
      params: this.params,
      optimizer: this.optimizer.state,
      tokenizer: this.tokenizer,
      metadata: { ...meta, step: this.step, seed: this.seed, tokenizer: this.tokenizer.id, model: this.config },
    });
  }

  /**
   * The text the policy continues: the tokenizer's chat template when it has one, else the system prompt and the
   * question as plain lines (zero-RL's base-model prompting); the opening think tag appended when prefilled.
   */
  promptText(input: PromptInput, t: PolicyTemplate): string {
    const prefill = t.prefillThink ? `<${t.thinkTag}>` : '';
    if (this.tokenizer.chatTemplate) {
      const messages = [
        { role: 'system', content: t.systemPrompt },
        ...(input.context ?? []),
        { role: 'user', content: input.prompt },
      ];
      return this.tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true }) + prefill;
    }
    const context = (input.context ?? []).map((m) => `${m.role}: ${m.content}\n`).join('');
    return `${t.systemPrompt}\n${context}${input.prompt}\n${prefill}`;
  }

  encodePrompt(text: string): number[] {
    const ids = this.tokenizer.encode(text);
    return this.tokenizer.bosId === null ? ids : [this.tokenizer.bosId, ...ids];
  }

  /** G responses per prompt, stopping at EOS, after the closing answer tag, or at the window. */
  sample(
    prompts: number[][],
    o: SamplingOptions & {
      samplesPerPrompt: number;
      maxNewTokens: number;
      step: number;
      promptIndexOffset?: number;
      promptKeys?: readonly number[];
      padToLength?: number;
      template: PolicyTemplate;
      onStep?: (n: number) => void;
    }
  ): Promise<Rollout[]> {
    const close = `</${o.template.answerTag}>`;
    const closeId = this.tokenizer.tokenToId(close);
    return generate(this.params, this.config, this.tokenizer, prompts, {
      ...o,
      seed: this.seed,
      ...(closeId !== undefined ? { stopSequences: [[closeId]] } : { stopStrings: [close] }),
    });
  }

  /**
   * One GRPO update at the given learning rate (and Adam's β1, β2, ε and weight decay when given: the config's
   * `grpo.adam`); advances the policy's step count. Yields to the event loop after every micro-batch (`onProgress`
   * then) so the activity running it keeps heartbeating through a long update.
   */
  async train(
    samples: GrpoSample[],
    o: GrpoOptions & {
      learningRate: number;
      adam?: Omit<AdamOptions, 'learningRate'>;
      onProgress?: (p: GrpoProgress) => void;
    }
  ): Promise<GrpoStepMetrics> {
    this.optimizer.options = { ...this.optimizer.options, ...o.adam, learningRate: o.learningRate };
    const metrics = await grpoUpdateAsync(this.params, this.config, this.optimizer, samples, {
      ...o,
      padId: this.tokenizer.padId,
    });
    this.step += 1;
    return metrics;
  }

  dispose(): void {
    this.optimizer.dispose();
    disposeParams(this.params);
  }
}
