/** Model shapes: presets in the Qwen2/Qwen3 layout, validation, and parameter names and shapes. */
import type { ModelConfig } from '../types.ts';

/**
 * Presets. The small ones are sized for this 2-core machine (tfjs-probe: ≤1M parameters trains comfortably on one
 * wasm thread); the `qwen*` ones are the real Hugging Face shapes so their checkpoints load one-to-one.
 * `vocabSize` of the small ones is a placeholder: {@link presetConfig} sets it from the tokenizer.
 */
export const PRESETS = {
  /** ~50k parameters with a byte vocabulary: orchestration and unit tests. */
  micro: {
    vocabSize: 260,
    hiddenSize: 48,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 12,
    intermediateSize: 128,
    maxPositions: 512,
    ropeTheta: 10000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    qkvBias: true,
    qkNorm: false,
  },
  /** ~0.6M parameters: the demo's policy. */
  tiny: {
    vocabSize: 260,
    hiddenSize: 128,
    numLayers: 3,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 32,
    intermediateSize: 352,
    maxPositions: 2048,
    ropeTheta: 10000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    qkvBias: true,
    qkNorm: false,
  },
  /** ~3.3M parameters: about the largest that trains in reasonable time on one wasm thread (shared/research/tfjs-probe.md). */
  small: {
    vocabSize: 260,
    hiddenSize: 256,
    numLayers: 4,
    numHeads: 8,
    numKvHeads: 4,
    headDim: 32,
    intermediateSize: 704,
    maxPositions: 4096,
    ropeTheta: 10000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    qkvBias: false,
    qkNorm: true,
  },
  /** ~25M parameters: needs tfjs-node(-gpu) to train at a useful speed. */
  base: {
    vocabSize: 260,
    hiddenSize: 512,
    numLayers: 8,
    numHeads: 8,
    numKvHeads: 2,
    headDim: 64,
    intermediateSize: 1408,
    maxPositions: 8192,
    ropeTheta: 100000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    qkvBias: false,
    qkNorm: true,
  },
  /** Qwen2.5-0.5B (config.json of Qwen/Qwen2.5-0.5B). */
  'qwen2.5-0.5b': {
    vocabSize: 151936,
    hiddenSize: 896,
    numLayers: 24,
    numHeads: 14,
    numKvHeads: 2,
    headDim: 64,
    intermediateSize: 4864,
    maxPositions: 32768,
    ropeTheta: 1000000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    qkvBias: true,
    qkNorm: false,
  },
  /** Qwen3-0.6B (config.json of Qwen/Qwen3-0.6B-Base). */
  'qwen3-0.6b': {
    vocabSize: 151936,
    hiddenSize: 1024,
    numLayers: 28,
    numHeads: 16,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 3072,
    maxPositions: 32768,
    ropeTheta: 1000000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    qkvBias: false,
    qkNorm: true,
  },
} as const satisfies Record<string, ModelConfig>;

export type PresetName = keyof typeof PRESETS;

/** A preset with the tokenizer's vocabulary size (the `qwen*` presets keep their own: they must match their weights). */
export function presetConfig(name: string, vocabSize?: number): ModelConfig {
  if (!(name in PRESETS))
    throw new Error(`unknown model preset '${name}': use one of ${Object.keys(PRESETS).join(', ')}`);
  const base: ModelConfig = { ...PRESETS[name as PresetName] };
  if (vocabSize !== undefined && !name.startsWith('qwen')) base.vocabSize = vocabSize;
  return validateConfig(base);
}

/** Throws a message that names the field to fix. */
export function validateConfig(config: ModelConfig): ModelConfig {
  const positive = [
    'vocabSize',
    'hiddenSize',
    'numLayers',
    'numHeads',
    'numKvHeads',
    'headDim',
    'intermediateSize',
    'maxPositions',
  ] as const;
  for (const key of positive) {
    if (!Number.isInteger(config[key]) || config[key] <= 0) {
      throw new Error(`model config: ${key} must be a positive integer, got ${config[key]}`);
    }
  }
  if (config.numHeads % config.numKvHeads !== 0) {
    throw new Error(
      `model config: numHeads (${config.numHeads}) must be a multiple of numKvHeads (${config.numKvHeads})`
    );
  }
  if (config.headDim % 2 !== 0)
    throw new Error(`model config: headDim must be even for rotary embeddings, got ${config.headDim}`);
  if (!(config.ropeTheta > 0)) throw new Error(`model config: ropeTheta must be > 0, got ${config.ropeTheta}`);
  if (!(config.rmsNormEps > 0)) throw new Error(`model config: rmsNormEps must be > 0, got ${config.rmsNormEps}`);
  return config;
}

/** Every parameter's HF name and in-memory shape ([in, out] for linear weights; engine/types.ts). */
export function parameterShapes(config: ModelConfig): Map<string, number[]> {
  const { hiddenSize: h, headDim: d, numHeads, numKvHeads, intermediateSize: m, vocabSize: v } = config;
  const shapes = new Map<string, number[]>();
  shapes.set('model.embed_tokens.weight', [v, h]);
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`;
    shapes.set(`${p}.input_layernorm.weight`, [h]);
    shapes.set(`${p}.self_attn.q_proj.weight`, [h, numHeads * d]);
    shapes.set(`${p}.self_attn.k_proj.weight`, [h, numKvHeads * d]);
    shapes.set(`${p}.self_attn.v_proj.weight`, [h, numKvHeads * d]);
    if (config.qkvBias) {
      shapes.set(`${p}.self_attn.q_proj.bias`, [numHeads * d]);
      shapes.set(`${p}.self_attn.k_proj.bias`, [numKvHeads * d]);
      shapes.set(`${p}.self_attn.v_proj.bias`, [numKvHeads * d]);
    }
    if (config.qkNorm) {
      shapes.set(`${p}.self_attn.q_norm.weight`, [d]);
      shapes.set(`${p}.self_attn.k_norm.weight`, [d]);
    }
    shapes.set(`${p}.self_attn.o_proj.weight`, [numHeads * d, h]);
    shapes.set(`${p}.post_attention_layernorm.weight`, [h]);
    shapes.set(`${p}.mlp.gate_proj.weight`, [h, m]);
    shapes.set(`${p}.mlp.up_proj.weight`, [h, m]);
    shapes.set(`${p}.mlp.down_proj.weight`, [m, h]);
  }
  shapes.set('model.norm.weight', [h]);
  if (!config.tieWordEmbeddings) shapes.set('lm_head.weight', [h, v]);
  return shapes;
}

export function parameterCount(config: ModelConfig): number {
  let n = 0;
  for (const shape of parameterShapes(config).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}
