/**
 * TIES-merging of whole policies: the fine-tuned checkpoints' weights are read as named Float32Arrays, merged by
 * ties-merge.ts against the base policy's, and written back into the base policy's variables, so the merged model is
 * saved, loaded and sampled as any policy is. Its Adam state stays the base's (zero moments): a run that starts from
 * the merged model starts its optimiser afresh, as one starting from any base does.
 */
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from '../engine/checkpoint/checkpoint.ts';
import { disposeParams } from '../engine/model/init.ts';
import type { Policy } from '../engine/policy.ts';
import type { Params } from '../engine/types.ts';
import { type NamedTensors, TiesMergeError, type TiesOptions, tiesMerge } from './ties-merge.ts';

/** A copy of every parameter's values (memory orientation), by name. */
export function paramValues(params: Params): Map<string, Float32Array> {
  return new Map([...params].map(([name, v]) => [name, Float32Array.from(v.dataSync() as Float32Array)]));
}

/**
 * The weights of a checkpoint directory, refused unless it has the base's model shape and tokenizer: a task vector
 * is only meaningful between models fine-tuned from the same base.
 */
export async function checkpointWeights(dir: string, base: Policy): Promise<NamedTensors> {
  let ck: Awaited<ReturnType<typeof loadCheckpoint>>;
  try {
    ck = await loadCheckpoint(dir, { expect: base.config, optimizer: false, tokenizer: false });
  } catch (err) {
    throw new TiesMergeError(`${dir}: ${(err as Error).message}`);
  }
  try {
    const tokenizer = ck.metadata?.tokenizer;
    if (tokenizer !== undefined && tokenizer !== base.tokenizer.id)
      throw new TiesMergeError(`${dir}: tokenizer '${tokenizer}' differs from the base's '${base.tokenizer.id}'`);
    return paramValues(ck.params);
  } finally {
    disposeParams(ck.params);
  }
}

/** Replaces `base`'s weights with the TIES merge of `models` against them; returns the same policy. */
export function tiesMergeInto(base: Policy, models: readonly NamedTensors[], options: TiesOptions = {}): Policy {
  const merged = tiesMerge(paramValues(base.params), models, options);
  for (const [name, v] of base.params) {
    const values = merged.get(name) as Float32Array;
    tf.tidy(() => v.assign(tf.tensor(values, v.shape, 'float32')));
  }
  return base;
}
