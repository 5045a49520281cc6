/**
 * The layers' weights rearranged for sampling, where a decoding step is bound by the number of backend calls, not
 * FLOPs (docs/BENCHMARKS.md, decode profile). Built once per rollout from the current weights (copies while it
 * lives); training keeps the separate parameters, whose gradients reach them.
 *
 * - q, k and v projections as one matmul, the input norm's weight folded into its rows;
 * - decoding one token per row without q/k norms, rotary on the flat q|k rows: rotate_half is a signed permutation
 *   of each head's columns, so x·cos + rotate_half(x)·sin is one gather, two multiplies and an add with the signs
 *   and the attention scale folded into the tables; with q/k norms (applied per head before rotating) or several
 *   tokens per row (prefill: flat tables would repeat per head per token) the heads are rotated as in the model;
 * - gate and up projections as one matmul, the post-attention norm's weight folded into its rows;
 * - RMSNorm as x·rsqrt(Σx² + hidden·ε) with √hidden folded into the next matmul's rows: tf.mean costs a cast and an
 *   uploaded axis tensor, a JS ε an upload per call.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, Params } from '../types.ts';
import {
  type AttentionInputs,
  applyRotary,
  flatRotaryTables,
  matMul,
  type Rotary,
  rmsNorm,
  rotaryTables,
  swiglu,
  toHeads,
} from './ops.ts';
import { param } from './param.ts';

export interface FusedLayer {
  /** [hidden, (H + 2·kvH)·D]: q_proj | k_proj | v_proj, rows × input norm. */
  qkv: tf.Tensor;
  /** The q/k/v biases in the same column order, when the model has them. */
  qkvBias?: tf.Tensor;
  /** [H + kvH, 1, D]: q_norm repeated per query head, then k_norm per key head, when the model has q/k norms. */
  qkNorm?: tf.Tensor;
  /** [hidden, 2·intermediate]: gate_proj | up_proj, rows × post-attention norm. */
  gateUp: tf.Tensor;
}

export interface FusedProjections {
  layers: FusedLayer[];
  /** [(H + kvH)·D] int32: the column rotate_half reads for each q|k column; absent with q/k norms. */
  rotateHalf?: tf.Tensor;
  /** hidden·ε, RMSNorm's ε for a sum of squares, as a scalar tensor. */
  sumEps: tf.Tensor;
}

/** For each of `heads`·d columns, the column rotate_half(x) takes (negated in the first half of each head). */
export function rotateHalfSource(heads: number, d: number): number[] {
  const half = d / 2;
  return Array.from({ length: heads * d }, (_, c) => {
    const i = c % d;
    return c - i + (i < half ? i + half : i - half);
  });
}

function fuseLayer(params: Params, config: ModelConfig, l: number): FusedLayer {
  const { numHeads, numKvHeads, headDim: d } = config;
  const p = `model.layers.${l}`;
  const proj = (n: string, kind: 'weight' | 'bias') => param(params, `${p}.self_attn.${n}_proj.${kind}`);
  const qkv = (kind: 'weight' | 'bias') => ['q', 'k', 'v'].map((n) => proj(n, kind));
  const rootWidth = Math.sqrt(config.hiddenSize);
  const inputNorm = param(params, `${p}.input_layernorm.weight`).mul(rootWidth).reshape([-1, 1]);
  const postNorm = param(params, `${p}.post_attention_layernorm.weight`).mul(rootWidth).reshape([-1, 1]);
  const layer: FusedLayer = {
    qkv: tf.concat(qkv('weight'), 1).mul(inputNorm),
    gateUp: tf
      .concat([param(params, `${p}.mlp.gate_proj.weight`), param(params, `${p}.mlp.up_proj.weight`)], 1)
      .mul(postNorm),
  };
  if (config.qkvBias) layer.qkvBias = tf.concat(qkv('bias'), 0);
  if (config.qkNorm) {
    const q = param(params, `${p}.self_attn.q_norm.weight`).reshape([1, 1, d]).tile([numHeads, 1, 1]);
    const k = param(params, `${p}.self_attn.k_norm.weight`).reshape([1, 1, d]).tile([numKvHeads, 1, 1]);
    layer.qkNorm = tf.concat([q, k], 0);
  }
  return layer;
}

export function fuseProjections(params: Params, config: ModelConfig): FusedProjections {
  const layers = Array.from({ length: config.numLayers }, (_, l) =>
    tf.tidy((): tf.TensorContainerObject => ({ ...fuseLayer(params, config, l) }))
  ) as unknown as FusedLayer[];
  return {
    layers,
    rotateHalf: config.qkNorm
      ? undefined
      : tf.tensor1d(rotateHalfSource(config.numHeads + config.numKvHeads, config.headDim), 'int32'),
    sumEps: tf.scalar(config.hiddenSize * config.rmsNormEps),
  };
}

export function disposeFused(fused: FusedProjections | undefined): void {
  if (!fused) return;
  for (const layer of fused.layers)
    tf.dispose([layer.qkv, layer.gateUp, layer.qkvBias, layer.qkNorm].filter((t) => !!t));
  tf.dispose([fused.sumEps, fused.rotateHalf].filter((t) => !!t));
}

/** Whether this forward rotates on the flat q|k rows: one new token per row (the tables grow with heads × tokens). */
function rotatesFlat(fused: FusedProjections, t: number): boolean {
  return fused.rotateHalf !== undefined && t === 1;
}

/**
 * Rotary tables for the fused layers: for one new token per row, per head on the flat q|k rows [B, (H + kvH)·D] with
 * 1/√D on the queries' heads and rotate_half's signs in sin; else the model's [B, 1, T, D] tables.
 */
export function fusedRotary(fused: FusedProjections, config: ModelConfig, positions: number[][]): Rotary {
  const { headDim: d, ropeTheta: theta } = config;
  if (!rotatesFlat(fused, positions[0]?.length ?? 0)) return rotaryTables(positions, d, theta);
  const scale = 1 / Math.sqrt(d);
  return flatRotaryTables(positions, d, theta, [
    ...new Array(config.numHeads).fill(scale),
    ...new Array(config.numKvHeads).fill(1),
  ]);
}

/** RMSNorm of rows x [N, hidden] divided by √hidden and without its weight (both folded into the next matmul). */
function normRows(fused: FusedProjections, x: tf.Tensor): tf.Tensor {
  return x.mul(tf.rsqrt(x.square().sum(-1, true).add(fused.sumEps)));
}

/**
 * The attention inputs of residual rows x [B·T, hidden] (B rows of T tokens): input norm, fused projection, rotary
 * (`rotary` from {@link fusedRotary}). Two splits keep every transpose 4-D (a 5-D one is 50× slower on wasm).
 */
export function fusedAttentionInputs(
  fused: FusedProjections,
  l: number,
  config: ModelConfig,
  x: tf.Tensor,
  [b, t]: [number, number],
  rotary: Rotary
): AttentionInputs {
  const { numHeads, numKvHeads, headDim: d } = config;
  const layer = fused.layers[l];
  let qkv = matMul(normRows(fused, x), layer.qkv);
  if (layer.qkvBias) qkv = qkv.add(layer.qkvBias);
  const qkWidth = (numHeads + numKvHeads) * d;
  const [qkFlat, vFlat] = tf.split(qkv, [qkWidth, numKvHeads * d], 1);
  if (rotatesFlat(fused, t)) {
    const turned = qkFlat.mul(rotary.cos).add(tf.gather(qkFlat, fused.rotateHalf!, 1).mul(rotary.sin));
    const [q, k] = tf.split(turned, [numHeads * d, numKvHeads * d], 1);
    return {
      q: toHeads(q, b, t, numHeads, d),
      k: toHeads(k, b, t, numKvHeads, d),
      v: toHeads(vFlat, b, t, numKvHeads, d),
      scaled: true,
    };
  }
  let qk = toHeads(qkFlat, b, t, numHeads + numKvHeads, d);
  if (layer.qkNorm) qk = rmsNorm(qk, layer.qkNorm, config.rmsNormEps);
  const [q, k] = tf.split(applyRotary(qk, rotary.cos, rotary.sin), [numHeads, numKvHeads], 1);
  return { q, k, v: toHeads(vFlat, b, t, numKvHeads, d) };
}

/** The MLP's output for residual rows x [N, hidden]: post-attention norm, fused gate|up, SwiGLU, down_proj. */
export function fusedMlp(fused: FusedProjections, l: number, x: tf.Tensor, down: tf.Tensor): tf.Tensor {
  const [gate, up] = tf.split(matMul(normRows(fused, x), fused.layers[l].gateUp), 2, 1);
  return matMul(swiglu(gate, up), down);
}
