/** Shared set-up for the engine's unit tests: the backend, a toy tokenizer and small model configs. */
import { initBackend } from '../../../engine/backend.ts';
import { presetConfig } from '../../../engine/model/config.ts';
import { CharTokenizer } from '../../../engine/toy/char-tokenizer.ts';
import type { TokenBatch } from '../../../engine/train/logprobs.ts';
import type { ModelConfig } from '../../../engine/types.ts';

export const backend = await initBackend();

export const tokenizer = new CharTokenizer({ chars: '0123456789+=', specials: ['<answer>', '</answer>'] });

export function microConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return { ...presetConfig('micro', tokenizer.vocabSize), ...overrides };
}

/**
 * A model small enough to check gradients against finite differences and other gradient paths (11 ids, width 8,
 * 2 layers, grouped-query attention, q/k/v biases, q/k norms, tied head): every code path of the real shapes.
 */
export function gradientCheckConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    vocabSize: 11,
    hiddenSize: 8,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 4,
    intermediateSize: 12,
    maxPositions: 16,
    ropeTheta: 100,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    qkvBias: true,
    qkNorm: true,
    ...overrides,
  };
}

/**
 * Two rows for {@link gradientCheckConfig}: the second padded, prompts masked out, so gradient checks cover masking
 * and padding.
 */
export const gradientCheckBatch: TokenBatch = {
  ids: [
    [1, 4, 7, 2, 9, 3],
    [1, 5, 5, 8, 0, 0],
  ],
  mask: [
    [0, 0, 1, 1, 1, 1],
    [0, 1, 1, 1, 0, 0],
  ],
};

/** Uneven per-token weights over {@link gradientCheckBatch}'s mask, so no two tokens' gradients count alike. */
export const gradientCheckWeights = gradientCheckBatch.mask.map((row, i) =>
  row.map((m, t) => m * (0.3 + 0.1 * i + 0.05 * t))
);

/** Qwen2-shaped (q/k/v biases, tied embeddings, grouped-query attention), small enough to save in milliseconds. */
export function qwen2TinyConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    vocabSize: 300,
    hiddenSize: 16,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 4,
    intermediateSize: 24,
    maxPositions: 64,
    ropeTheta: 10000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    qkvBias: true,
    qkNorm: false,
    ...overrides,
  };
}

export function encodePrompt(text: string): number[] {
  return [tokenizer.bosId, ...tokenizer.encode(text)];
}
