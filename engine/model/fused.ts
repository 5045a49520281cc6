/**
 * The q, k and v projections of each layer as one matmul, for sampling. A decoding step is bound by the number of
 * backend calls, not FLOPs: one [hidden, (H + 2·kvH)·D] matmul and one bias add replace three of each, and the
 * queries and keys share one q/k norm and one rotary pass. Built once per rollout from the current weights (a copy of
 * the q/k/v weights while it lives); training keeps the separate projections, whose gradients reach the parameters.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, Params } from '../types.ts';
import { type AttentionInputs, applyRotary, matMul, type Rotary, rmsNorm, toHeads } from './ops.ts';
import { param } from './param.ts';

export interface FusedLayer {
  /** [hidden, (H + 2·kvH)·D]: q_proj | k_proj | v_proj. */
  qkv: tf.Tensor;
  /** [(H + 2·kvH)·D] when the model has q/k/v biases. */
  qkvBias?: tf.Tensor;
  /** [H + kvH, 1, D]: q_norm repeated per query head, then k_norm per key head, when the model has q/k norms. */
  qkNorm?: tf.Tensor;
}

export interface FusedProjections {
  layers: FusedLayer[];
}

export function fuseProjections(params: Params, config: ModelConfig): FusedProjections {
  const { numHeads, numKvHeads, headDim: d } = config;
  const layers = Array.from({ length: config.numLayers }, (_, l) =>
    tf.tidy((): tf.TensorContainerObject => {
      const p = `model.layers.${l}.self_attn`;
      const proj = (n: string, kind: 'weight' | 'bias') => param(params, `${p}.${n}_proj.${kind}`);
      const layer: FusedLayer = {
        qkv: tf.concat(
          ['q', 'k', 'v'].map((n) => proj(n, 'weight')),
          1
        ),
      };
      if (config.qkvBias)
        layer.qkvBias = tf.concat(
          ['q', 'k', 'v'].map((n) => proj(n, 'bias')),
          0
        );
      if (config.qkNorm) {
        const q = param(params, `${p}.q_norm.weight`).reshape([1, 1, d]).tile([numHeads, 1, 1]);
        const k = param(params, `${p}.k_norm.weight`).reshape([1, 1, d]).tile([numKvHeads, 1, 1]);
        layer.qkNorm = tf.concat([q, k], 0);
      }
      return { ...layer };
    })
  ) as unknown as FusedLayer[];
  return { layers };
}

export function disposeFused(fused: FusedProjections | undefined): void {
  for (const layer of fused?.layers ?? []) tf.dispose([layer.qkv, layer.qkvBias, layer.qkNorm].filter((t) => !!t));
}

/**
 * The attention inputs of hidden rows h [B·T, hidden] (B rows of T tokens) through the fused projection. Two splits
 * keep every transpose 4-D (a 5-D one is 50× slower on wasm).
 */
export function fusedAttentionInputs(
  layer: FusedLayer,
  config: ModelConfig,
  h: tf.Tensor,
  [b, t]: [number, number],
  rotary: Rotary
): AttentionInputs {
  const { numHeads, numKvHeads, headDim: d } = config;
  let qkv = matMul(h, layer.qkv);
  if (layer.qkvBias) qkv = qkv.add(layer.qkvBias);
  const [qkFlat, vFlat] = tf.split(qkv, [(numHeads + numKvHeads) * d, numKvHeads * d], 1);
  let qk = toHeads(qkFlat, b, t, numHeads + numKvHeads, d);
  if (layer.qkNorm) qk = rmsNorm(qk, layer.qkNorm, config.rmsNormEps);
  const [q, k] = tf.split(applyRotary(qk, rotary.cos, rotary.sin), [numHeads, numKvHeads], 1);
  return { q, k, v: toHeads(vFlat, b, t, numKvHeads, d) };
}
