/** The two models `npm run bench -- engine-vs-torch` compares on, and the sampling both sides use. */
import { PRESETS } from '../../engine/model/config.ts';
import type { ModelConfig } from '../../engine/types.ts';

export interface BenchModel {
  /** A checkpoint directory under the repository root, or … */
  checkpoint?: string;
  /** … a shape initialised at random (seed 0). */
  config?: ModelConfig;
  /** Seed of the prompts and update sequences. */
  seed: number;
  prompts: number;
  samplesPerPrompt: number;
  newTokens: number;
  /** The update step: rows × tokens per row (prompt + response). */
  updateRows: number;
  updateLength: number;
}

export const BENCH_MODELS = {
  /** The demo's base policy: 8 prompts × G 8 as a demo step samples, and its update's 64 × 74 tokens. */
  demo: {
    checkpoint: 'models/demo-base',
    seed: 1,
    prompts: 8,
    samplesPerPrompt: 8,
    newTokens: 128,
    updateRows: 64,
    updateLength: 74,
  },
  /** The `base` preset made Qwen2-shaped (q/k/v biases, no q/k norms): 39 M parameters, 32 k vocabulary, tied head. */
  'qwen2-40m': {
    config: { ...PRESETS.base, vocabSize: 32768, maxPositions: 4096, ropeTheta: 1e6, qkvBias: true, qkNorm: false },
    seed: 2,
    prompts: 8,
    samplesPerPrompt: 1,
    newTokens: 128,
    updateRows: 8,
    updateLength: 256,
  },
} satisfies Record<string, BenchModel>;

/** Rollout sampling as the demo configures it (temperature 0.7, evaluation's top-p 0.8 and top-k 20). */
export const SAMPLING = { temperature: 0.7, topP: 0.8, topK: 20 };
