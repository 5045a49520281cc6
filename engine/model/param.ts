/** Looking up a parameter by its Hugging Face name. */
import type * as tf from '@tensorflow/tfjs';
import type { Params } from '../types.ts';

export function param(params: Params, name: string): tf.Variable {
  const p = params.get(name);
  if (!p) throw new Error(`parameters: missing '${name}'`);
  return p;
}
