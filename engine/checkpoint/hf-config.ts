/**
 * `config.json` in the Hugging Face form for the Qwen2/Qwen3 family, to and from the engine's {@link ModelConfig}.
 * The architecture follows from two switches: q/k RMSNorm means Qwen3 (its `attention_bias` carries the q/k/v bias);
 * q/k/v bias without q/k norm is Qwen2; neither is Llama, whose blocks are otherwise the same (RMSNorm, SwiGLU,
 * rotate-half RoPE, same parameter names), so such a checkpoint still loads in `transformers`.
 */
import type { ModelConfig } from '../types.ts';

export type HfModelType = 'qwen2' | 'qwen3' | 'llama';

const ARCHITECTURE: Record<HfModelType, string> = {
  qwen2: 'Qwen2ForCausalLM',
  qwen3: 'Qwen3ForCausalLM',
  llama: 'LlamaForCausalLM',
};

export interface HfConfigExtras {
  /** Token ids `transformers` reads from config.json (generation stops at eos); omitted when undefined. */
  bosTokenId?: number | null;
  eosTokenId?: number;
  /** Precision of the saved weights (default 'float32'). */
  torchDtype?: 'float32' | 'bfloat16' | 'float16';
}

export function hfModelType(config: ModelConfig): HfModelType {
  if (config.qkNorm) return 'qwen3';
  return config.qkvBias ? 'qwen2' : 'llama';
}

/** The Hugging Face config.json object for a model. */
export function toHfConfig(config: ModelConfig, extras: HfConfigExtras = {}): Record<string, unknown> {
  const modelType = hfModelType(config);
  const hf: Record<string, unknown> = {
    architectures: [ARCHITECTURE[modelType]],
    model_type: modelType,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads,
    head_dim: config.headDim,
    hidden_act: 'silu',
    max_position_embeddings: config.maxPositions,
    rope_theta: config.ropeTheta,
    rope_scaling: null,
    rms_norm_eps: config.rmsNormEps,
    tie_word_embeddings: config.tieWordEmbeddings,
    attention_dropout: 0,
    initializer_range: 0.02,
    use_cache: true,
    torch_dtype: extras.torchDtype ?? 'float32',
  };
  if (modelType !== 'qwen2') hf.attention_bias = config.qkvBias;
  if (modelType === 'llama') hf.mlp_bias = false;
  if (modelType !== 'llama') {
    hf.use_sliding_window = false;
    hf.sliding_window = null;
    hf.max_window_layers = config.numLayers;
  }
  if (extras.bosTokenId !== undefined) hf.bos_token_id = extras.bosTokenId;
  if (extras.eosTokenId !== undefined) hf.eos_token_id = extras.eosTokenId;
  return hf;
}

/** Thrown for a config.json this engine cannot run; the message names the field. */
export class HfConfigError extends Error {
  override readonly name = 'HfConfigError';
}

function intField(hf: Record<string, unknown>, key: string, fallback?: number): number {
  const v = hf[key] ?? fallback;
  if (!Number.isInteger(v) || (v as number) <= 0) {
    throw new HfConfigError(`config.json: '${key}' must be a positive integer, got ${JSON.stringify(hf[key])}`);
  }
  return v as number;
}

function numberField(hf: Record<string, unknown>, key: string, fallback: number): number {
  const v = hf[key] ?? fallback;
  if (typeof v !== 'number' || !(v > 0)) {
    throw new HfConfigError(`config.json: '${key}' must be a positive number, got ${JSON.stringify(hf[key])}`);
  }
  return v;
}

/**
 * A {@link ModelConfig} from a Hugging Face config.json (qwen2, qwen3 or llama), with `transformers`' defaults for
 * absent fields; refuses what the engine does not implement (other activations, RoPE scaling, sliding windows).
 */
export function fromHfConfig(hf: Record<string, unknown>): ModelConfig {
  const modelType = hf.model_type;
  if (modelType !== 'qwen2' && modelType !== 'qwen3' && modelType !== 'llama') {
    throw new HfConfigError(
      `config.json: model_type ${JSON.stringify(modelType)} is not supported; the engine runs qwen2, qwen3 and llama-shaped models`
    );
  }
  const act = hf.hidden_act ?? 'silu';
  if (act !== 'silu')
    throw new HfConfigError(`config.json: hidden_act '${act}' is not supported (the engine's MLP is SwiGLU)`);
  // transformers 5 moves rope_theta and rope_scaling into rope_parameters.
  const rope = (hf.rope_parameters ?? hf.rope_scaling ?? null) as Record<string, unknown> | null;
  const ropeType = rope?.rope_type ?? rope?.type ?? 'default';
  if (ropeType !== 'default') {
    throw new HfConfigError(`config.json: RoPE scaling '${ropeType}' is not supported; only plain rotary embeddings`);
  }
  if (hf.use_sliding_window === true) {
    throw new HfConfigError('config.json: use_sliding_window is true; the engine attends over the full context only');
  }
  if (hf.mlp_bias === true) throw new HfConfigError('config.json: mlp_bias is true; the engine has no MLP biases');
  const hiddenSize = intField(hf, 'hidden_size');
  const numHeads = intField(hf, 'num_attention_heads');
  const ropeTheta = typeof rope?.rope_theta === 'number' ? rope.rope_theta : numberField(hf, 'rope_theta', 10000);
  return {
    vocabSize: intField(hf, 'vocab_size'),
    hiddenSize,
    numLayers: intField(hf, 'num_hidden_layers'),
    numHeads,
    numKvHeads: intField(hf, 'num_key_value_heads', numHeads),
    headDim: intField(hf, 'head_dim', Math.floor(hiddenSize / numHeads)),
    intermediateSize: intField(hf, 'intermediate_size'),
    maxPositions: intField(hf, 'max_position_embeddings', 32768),
    ropeTheta,
    rmsNormEps: numberField(hf, 'rms_norm_eps', 1e-6),
    tieWordEmbeddings: hf.tie_word_embeddings === true,
    qkvBias: modelType === 'qwen2' ? true : hf.attention_bias === true,
    qkNorm: modelType === 'qwen3',
  };
}
