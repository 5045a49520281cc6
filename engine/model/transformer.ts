/**
 * The decoder-only transformer of the Qwen2/Qwen3 family: pre-RMSNorm blocks of grouped-query attention with rotary
 * positions and a SwiGLU MLP. One forward serves training (whole sequences, causal mask), prefill and cached
 * decoding (a KV cache per layer).
 *
 * Padding convention: rows may be left-padded (sampling) — `padding[b]` leading keys of row b are masked out and
 * positions count from the first real token, so a row's numbers do not depend on how much padding it got.
 * Training batches are right-padded, where the causal mask alone keeps real tokens from seeing the pads.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, Params } from '../types.ts';
import { type FusedProjections, fusedAttentionInputs, fusedMlp, fusedRotary } from './fused.ts';
import { appendColumns, columnsAfter } from './kv-append.ts';
import {
  type AttentionInputs,
  applyRotary,
  embed,
  linear,
  matMul,
  matMulTransposeB,
  type Rotary,
  rmsNorm,
  rotaryTables,
  swiglu,
  toHeads,
  transposeFlagsAreFast,
} from './ops.ts';
import { param } from './param.ts';

/**
 * Keys and values of the tokens seen so far, per layer: [B, numKvHeads, columns, headDim], where columns ≥ length
 * (spare columns for in-place writes, engine/model/kv-append.ts).
 */
export interface KvCache {
  layers: { k: tf.Tensor; v: tf.Tensor }[];
  /** Tokens (including left padding) in the cache: its first `length` columns. */
  length: number;
}

export interface ForwardInput {
  /** Token ids [B][T], all rows the same length. */
  ids: number[][];
  /** Rotary position of each token [B][T]; default 0..T-1 after the cache (minus each row's padding). */
  positions?: number[][];
  /** Left padding of each row, counted from the start of the cache: those keys are masked. Default none. */
  padding?: number[];
  /** Cache from earlier tokens; the result carries the extended cache (the caller disposes the old one). */
  cache?: KvCache;
  /** Return an extended cache (sampling); default false (training needs none). */
  useCache?: boolean;
  /** The q/k/v projections fused (engine/model/fused.ts), for sampling; default the separate parameters. */
  fused?: FusedProjections;
}

export interface ForwardOutput {
  /** Final-normed hidden states [B, T, hidden]; {@link lmHead} turns them into logits. */
  hidden: tf.Tensor;
  cache?: KvCache;
}

const MASKED = -1e9;

/**
 * Additive mask [B or 1, 1, g·T, columns]: causal within the new tokens, pads masked, cached keys visible, spare
 * cache columns past the new tokens masked.
 */
function attentionMask(
  b: number,
  t: number,
  past: number,
  columns: number,
  groups: number,
  padding: number[] | undefined
): tf.Tensor | null {
  const tk = columns;
  let mask: tf.Tensor | null = null;
  if (t > 1) {
    const causal = new Float32Array(groups * t * tk);
    for (let g = 0; g < groups; g++) {
      for (let i = 0; i < t; i++) {
        const row = (g * t + i) * tk;
        for (let j = past + i + 1; j < tk; j++) causal[row + j] = MASKED;
      }
    }
    mask = tf.tensor4d(causal, [1, 1, groups * t, tk]);
  }
  if (padding?.some((p) => p > 0) || tk > past + t) {
    const pad = new Float32Array(b * tk);
    for (let r = 0; r < b; r++) {
      for (let j = 0; j < Math.min(padding?.[r] ?? 0, tk); j++) pad[r * tk + j] = MASKED;
      for (let j = past + t; j < tk; j++) pad[r * tk + j] = MASKED;
    }
    const padMask = tf.tensor4d(pad, [b, 1, 1, tk]);
    mask = mask ? mask.add(padMask) : padMask;
  }
  return mask;
}

/**
 * The attention inputs from the separate q/k/v projections of layer `p`, for hidden rows h [B·T, hidden]. Separate
 * projections and 4-D transposes: one fused qkv reshape needs a 5-D transpose, 50× slower on wasm.
 */
function attentionInputs(
  params: Params,
  config: ModelConfig,
  p: string,
  h: tf.Tensor,
  rows: [number, number],
  rotary: Rotary
): AttentionInputs {
  const { numHeads, numKvHeads, headDim: d, rmsNormEps: eps } = config;
  const heads = (n: string, count: number) => {
    const y = matMul(h, param(params, `${p}.self_attn.${n}_proj.weight`));
    const withBias = config.qkvBias ? y.add(param(params, `${p}.self_attn.${n}_proj.bias`)) : y;
    return toHeads(withBias, rows[0], rows[1], count, d);
  };
  let q = heads('q', numHeads);
  let k = heads('k', numKvHeads);
  if (config.qkNorm) {
    q = rmsNorm(q, param(params, `${p}.self_attn.q_norm.weight`), eps);
    k = rmsNorm(k, param(params, `${p}.self_attn.k_norm.weight`), eps);
  }
  return {
    q: applyRotary(q, rotary.cos, rotary.sin),
    k: applyRotary(k, rotary.cos, rotary.sin),
    v: heads('v', numKvHeads),
  };
}

/** What the layers of one forward share: batch shape, rotary tables and the additive attention mask. */
export interface LayerInputs {
  /** Rows, new tokens per row, and tokens already in the cache. */
  b: number;
  t: number;
  past: number;
  rotary: Rotary;
  mask: tf.Tensor | null;
  fused?: FusedProjections;
}

/** Rotary tables and mask for right-padded training rows of `t` tokens from position 0 (no cache, no left padding). */
export function trainingLayerInputs(config: ModelConfig, b: number, t: number): LayerInputs {
  const positions = Array.from({ length: b }, () => Array.from({ length: t }, (_, j) => j));
  const rotary = rotaryTables(positions, config.headDim, config.ropeTheta);
  return { b, t, past: 0, rotary, mask: attentionMask(b, t, 0, t, config.numHeads / config.numKvHeads, undefined) };
}

/** The token embeddings [B·T, hidden] of `ids` (the residual stream before layer 0). */
export function embedIds(params: Params, ids: number[][]): tf.Tensor {
  return embed(param(params, 'model.embed_tokens.weight'), tf.tensor1d(ids.flat(), 'int32'));
}

/**
 * Decoder layer `l` on the residual stream x [B·T, hidden]: attention (after `cached` keys and values, when given)
 * then the MLP. Returns the new residual stream and this layer's keys and values, cache included.
 */
export function decoderLayer(
  params: Params,
  config: ModelConfig,
  l: number,
  x: tf.Tensor,
  inputs: LayerInputs,
  cached?: { k: tf.Tensor; v: tf.Tensor }
): { x: tf.Tensor; k: tf.Tensor; v: tf.Tensor } {
  const { numHeads, numKvHeads, headDim: d, rmsNormEps: eps } = config;
  const { b, t, past, rotary, mask } = inputs;
  const groups = numHeads / numKvHeads;
  const p = `model.layers.${l}`;
  const qkv = inputs.fused
    ? fusedAttentionInputs(inputs.fused, l, config, x, [b, t], rotary)
    : attentionInputs(params, config, p, rmsNorm(x, param(params, `${p}.input_layernorm.weight`), eps), [b, t], rotary);
  const q = qkv.q;
  let { k, v } = qkv;
  if (cached) {
    k = appendColumns(cached.k, k, past);
    v = appendColumns(cached.v, v, past);
  }
  // Grouped-query attention without repeating K/V: the g query heads sharing a KV head are stacked along time
  // (head index = kvHead·g + r in HF's repeat_kv order), so q [B,H,T,D] reshapes to [B,kvH,g·T,D] for free.
  const qg = q.reshape([b, numKvHeads, groups * t, d]);
  let scores = matMulTransposeB(qg, k);
  if (!qkv.scaled) scores = scores.mul(1 / Math.sqrt(d));
  if (mask) scores = scores.add(mask);
  const context = matMul(tf.softmax(scores), v);
  const attn =
    t === 1
      ? context.reshape([b, numHeads * d])
      : context
          .reshape([b, numHeads, t, d])
          .transpose([0, 2, 1, 3])
          .reshape([b * t, numHeads * d]);
  const mid = x.add(matMul(attn, param(params, `${p}.self_attn.o_proj.weight`)));
  const down = param(params, `${p}.mlp.down_proj.weight`);
  if (inputs.fused) return { x: mid.add(fusedMlp(inputs.fused, l, mid, down)), k, v };
  const h2 = rmsNorm(mid, param(params, `${p}.post_attention_layernorm.weight`), eps);
  const gate = matMul(h2, param(params, `${p}.mlp.gate_proj.weight`));
  const up = matMul(h2, param(params, `${p}.mlp.up_proj.weight`));
  return { x: mid.add(matMul(swiglu(gate, up), down)), k, v };
}

/** The final RMSNorm of the residual stream x [B·T, hidden]. */
export function finalNorm(params: Params, config: ModelConfig, x: tf.Tensor): tf.Tensor {
  return rmsNorm(x, param(params, 'model.norm.weight'), config.rmsNormEps);
}

export function forward(params: Params, config: ModelConfig, input: ForwardInput): ForwardOutput {
  const b = input.ids.length;
  const t = input.ids[0]?.length ?? 0;
  if (b === 0 || t === 0) throw new Error('forward: empty batch');
  if (input.ids.some((row) => row.length !== t)) throw new Error('forward: rows of ids must have equal length');
  const past = input.cache?.length ?? 0;
  if (past + t > config.maxPositions) {
    throw new Error(`forward: ${past + t} tokens exceed maxPositions ${config.maxPositions}`);
  }
  const groups = config.numHeads / config.numKvHeads;
  const positions =
    input.positions ??
    input.ids.map((_, r) => Array.from({ length: t }, (_, j) => Math.max(0, past + j - (input.padding?.[r] ?? 0))));
  const rotary = input.fused
    ? fusedRotary(input.fused, config, positions)
    : rotaryTables(positions, config.headDim, config.ropeTheta);
  const cachedColumns = input.cache?.layers[0]?.k.shape[2] ?? 0;
  const columns = input.cache ? columnsAfter(cachedColumns, past, t) : t;
  const layerInputs: LayerInputs = {
    b,
    t,
    past,
    rotary,
    mask: attentionMask(b, t, past, columns, groups, input.padding),
    fused: input.fused,
  };
  // The residual stream stays 2-D [B·T, hidden]: every projection is then one plain matmul with no reshapes, and
  // per-op overhead is what bounds a cached decoding step (tfjs-probe §3: ~7 ms flat per step).
  let x = embedIds(params, input.ids);
  const newLayers: KvCache['layers'] = [];
  for (let l = 0; l < config.numLayers; l++) {
    if (input.useCache) {
      const out = decoderLayer(params, config, l, x, layerInputs, input.cache?.layers[l]);
      newLayers.push({ k: out.k, v: out.v });
      x = out.x;
    } else {
      // A layer's intermediates are freed when it ends, not when the caller's tidy does: a no-grad pass then holds
      // one layer's worth, and under a gradient tape only what the tape saved outlives the layer.
      const residual = x;
      x = tf.tidy(() => decoderLayer(params, config, l, residual, layerInputs).x);
    }
  }
  const hidden = finalNorm(params, config, x).reshape([b, t, config.hiddenSize]);
  return { hidden, cache: input.useCache ? { layers: newLayers, length: past + t } : undefined };
}

/**
 * Transposed tied embeddings, one per embedding variable, for the value it held when transposed, on backends where a
 * matmul with transposeB is slow (wasm: several times slower than this copy). Sampling asks for the head on every
 * token, and transposing [vocab, hidden] each time costs more than the head's matmul. `assign` (an optimiser step, a loaded
 * checkpoint) gives a variable a new dataId, which invalidates its entry. The copy costs vocab × hidden floats.
 */
const tiedHeads = new Map<tf.Variable, { dataId: object; head: tf.Tensor }>();

function tiedHead(embedding: tf.Variable): tf.Tensor {
  const entry = tiedHeads.get(embedding);
  if (entry?.dataId === embedding.dataId) return entry.head;
  entry?.head.dispose();
  // Heads of models disposed without releaseTiedHeads would otherwise live as long as the process.
  for (const [v, e] of tiedHeads) {
    if (v.isDisposed) {
      e.head.dispose();
      tiedHeads.delete(v);
    }
  }
  const head = tf.keep(embedding.transpose());
  tiedHeads.set(embedding, { dataId: embedding.dataId, head });
  return head;
}

/** Frees the cached transposed heads of these parameters (disposeParams calls it). */
export function releaseTiedHeads(params: Params): void {
  for (const v of params.values()) {
    tiedHeads.get(v)?.head.dispose();
    tiedHeads.delete(v);
  }
}

/**
 * The output projection as [hidden, vocab]: lm_head, or the transposed embedding when tied. Under a gradient tape
 * the transpose is taken afresh so the head's gradient reaches the embedding; outside one it is the cached copy.
 */
export function headWeight(params: Params, config: ModelConfig): tf.Tensor {
  if (!config.tieWordEmbeddings) return param(params, 'lm_head.weight');
  const embedding = param(params, 'model.embed_tokens.weight');
  return tf.engine().isTapeOn() ? embedding.transpose() : tiedHead(embedding);
}

/**
 * Logits [.., vocab] for hidden states [.., hidden]. A tied head on native TensorFlow multiplies by the embedding
 * with transposeB: no transposed copy to keep, and faster than the plain matmul on the copy for a decoding batch.
 */
export function lmHead(params: Params, config: ModelConfig, hidden: tf.Tensor): tf.Tensor {
  if (!config.tieWordEmbeddings || !transposeFlagsAreFast()) return linear(hidden, headWeight(params, config));
  const lead = hidden.shape.slice(0, -1) as number[];
  const flat = hidden.reshape([-1, config.hiddenSize]);
  return matMulTransposeB(flat, param(params, 'model.embed_tokens.weight')).reshape([...lead, config.vocabSize]);
}

export function disposeCache(cache: KvCache | undefined): void {
  if (!cache) return;
  for (const layer of cache.layers) {
    layer.k.dispose();
    layer.v.dispose();
  }
}
