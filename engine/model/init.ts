/** Deterministic initialisation: each tensor's values depend only on (seed, parameter name), not on order or backend. */
import * as tf from '@tensorflow/tfjs';
import { keyedRandom, normalFrom } from '../../rl/random.ts';
import type { ModelConfig, Params } from '../types.ts';
import { parameterShapes, validateConfig } from './config.ts';
import { releaseTiedHeads } from './transformer.ts';

export interface InitOptions {
  /** Standard deviation of linear and embedding weights; default 0.02 (GPT-2 / Qwen `initializer_range`). */
  std?: number;
}

export function initParams(config: ModelConfig, seed: number, options: InitOptions = {}): Params {
  validateConfig(config);
  const std = options.std ?? 0.02;
  const params: Params = new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (name.endsWith('norm.weight')) values.fill(1);
    else if (!name.endsWith('.bias')) {
      // Residual-branch outputs scaled by 1/sqrt(2·layers) (GPT-2) so the residual stream's variance stays ~constant.
      const scale = /o_proj|down_proj/.test(name) ? std / Math.sqrt(2 * config.numLayers) : std;
      const normal = normalFrom(keyedRandom(seed, 'init', name));
      for (let i = 0; i < size; i++) values[i] = normal() * scale;
    }
    // A variable shares its initial tensor's data; disposing the tensor only drops its own reference.
    const initial = tf.tensor(values, shape);
    params.set(name, tf.variable(initial, true));
    initial.dispose();
  }
  return params;
}

/** Frees every tensor of a model. */
export function disposeParams(params: Params): void {
  releaseTiedHeads(params);
  for (const v of params.values()) v.dispose();
}

/** An independent copy (e.g. the frozen reference policy for the KL term). */
export function cloneParams(params: Params, trainable = false): Params {
  const copy: Params = new Map();
  for (const [name, v] of params) {
    const initial = v.clone();
    copy.set(name, tf.variable(initial, trainable));
    initial.dispose();
  }
  return copy;
}

/** Checks a parameter map against a config: every name present with the right shape, nothing extra. */
export function checkParams(config: ModelConfig, params: Params): void {
  const shapes = parameterShapes(config);
  for (const [name, shape] of shapes) {
    const v = params.get(name);
    if (!v) throw new Error(`parameters: missing '${name}' (expected shape [${shape}])`);
    if (v.shape.join(',') !== shape.join(',')) {
      throw new Error(`parameters: '${name}' has shape [${v.shape}], the config expects [${shape}]`);
    }
  }
  for (const name of params.keys()) {
    if (!shapes.has(name)) throw new Error(`parameters: unexpected '${name}' for this config`);
  }
}
