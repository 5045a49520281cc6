/**
 * The contracts between the parts of the engine (model, sampler, trainer, tokenizers, checkpoints). Parameter names
 * are Hugging Face Qwen2/Qwen3 names so a checkpoint maps one-to-one onto `transformers` state dicts.
 */
import type * as tf from '@tensorflow/tfjs';

/** Shape of a decoder-only transformer in the Qwen2/Qwen3 family. */
export interface ModelConfig {
  /** Number of token ids. */
  vocabSize: number;
  /** Width of the residual stream (HF `hidden_size`). */
  hiddenSize: number;
  /** Transformer blocks (HF `num_hidden_layers`). */
  numLayers: number;
  /** Query heads (HF `num_attention_heads`). */
  numHeads: number;
  /** Key/value heads; < numHeads means grouped-query attention (HF `num_key_value_heads`). */
  numKvHeads: number;
  /** Width of one head (HF `head_dim`; Qwen2 derives it as hiddenSize / numHeads). */
  headDim: number;
  /** SwiGLU hidden width (HF `intermediate_size`). */
  intermediateSize: number;
  /** Longest sequence the rotary tables are built for (HF `max_position_embeddings`). */
  maxPositions: number;
  /** Rotary base (HF `rope_theta`). Default 10000 for tiny models; Qwen uses 1e6. */
  ropeTheta: number;
  /** RMSNorm epsilon (HF `rms_norm_eps`). */
  rmsNormEps: number;
  /** Output head shares the embedding matrix (HF `tie_word_embeddings`). */
  tieWordEmbeddings: boolean;
  /** Bias on q/k/v projections: true for Qwen2, false for Qwen3. */
  qkvBias: boolean;
  /** RMSNorm on each head's queries and keys: true for Qwen3, false for Qwen2. */
  qkNorm: boolean;
}

/**
 * Model parameters by Hugging Face name, e.g. `model.embed_tokens.weight`, `model.layers.0.self_attn.q_proj.weight`,
 * `model.layers.0.self_attn.q_proj.bias`, `model.layers.0.self_attn.q_norm.weight`, `model.layers.0.mlp.gate_proj.weight`,
 * `model.layers.0.input_layernorm.weight`, `model.layers.0.post_attention_layernorm.weight`, `model.norm.weight`,
 * `lm_head.weight` (absent when tied).
 *
 * Orientation: linear weights are kept in memory as [in, out] so the forward pass is a plain `x @ W` (transposed
 * matmuls are 10–25× slower on the wasm backend). Checkpoint files use the Hugging Face orientation [out, in]; the
 * transpose happens only when saving and loading. Embeddings are [vocab, hidden] in both.
 */
export type Params = Map<string, tf.Variable>;

/** Adam state by parameter name (`<name>.m`, `<name>.v`) plus the step count, kept in checkpoints. */
export interface OptimizerState {
  step: number;
  moments: Map<string, tf.Tensor>;
}

export interface Tokenizer {
  /** Stable id of the vocabulary, recorded in checkpoints (e.g. `byte-v1` or the sha256 of tokenizer.json). */
  readonly id: string;
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number;
  readonly padId: number;
  encode(text: string): number[];
  decode(ids: number[]): string;
}

/** What a checkpoint records besides tensors, so a resumed run continues exactly where it stopped. */
export interface CheckpointMetadata {
  /** Global RL (or pretraining) step completed when this was written. */
  step: number;
  /** Seeds that, with the step, determine every sample drawn after this point. */
  seed: number;
  /** sha256 of the canonical experiment config. */
  configHash: string;
  /** Tokenizer id and, for a Hugging Face tokenizer, the tokenizer.json content hash. */
  tokenizer: string;
  model: ModelConfig;
  /** Free-form extras (data cursor, stage index, metrics summary). Must be JSON. */
  extra?: Record<string, unknown>;
}
