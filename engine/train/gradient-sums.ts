/** What both gradient passes (tape-grads.ts, layerwise-grads.ts) take and give, and how they sum gradients. */
import type * as tf from '@tensorflow/tfjs';
import type { ModelConfig, Params } from '../types.ts';

/**
 * The loss of the trunk's final-normed hidden rows [B·T, hidden]; it runs under a gradient tape, so it may use the
 * output head's parameters.
 */
export type HeadLoss = (hidden: tf.Tensor) => tf.Scalar;

export interface GradientPassResult {
  /** The loss the head loss returned. */
  loss: number;
  /** Gradient of each trainable parameter, by Hugging Face name, added to `into`'s (the caller disposes them). */
  grads: Map<string, tf.Tensor>;
}

/**
 * A gradient pass: the loss `headLoss` gives for the trunk's hidden rows of `ids` [B][T] (right-padded rows from
 * position 0), and every trainable parameter's gradient summed into `into` (gradient accumulation over micro-batches).
 */
export type GradientPassFunction = (
  params: Params,
  config: ModelConfig,
  ids: number[][],
  headLoss: HeadLoss,
  into?: Map<string, tf.Tensor>
) => GradientPassResult;

/**
 * A gradient pass run step by step: it yields between its pieces of work (the layer-wise pass: after each decoder
 * layer's backward, with that layer's index), so a caller can let the event loop run — an activity's heartbeat
 * goes out only then — and returns what {@link GradientPassFunction} returns. A caller that stops early calls
 * `return()`, which frees what the pass holds.
 */
export type GradientPassSteps = (...args: Parameters<GradientPassFunction>) => Generator<number, GradientPassResult>;

/** Runs a stepped gradient pass to its end. */
export function runToEnd(pass: Generator<number, GradientPassResult>): GradientPassResult {
  let step = pass.next();
  while (!step.done) step = pass.next();
  return step.value;
}

/** Adds `g` to `grads`' sum for `name` (gradient accumulation over micro-batches), disposing what it replaces. */
export function addGradient(grads: Map<string, tf.Tensor>, name: string, g: tf.Tensor): void {
  const prev = grads.get(name);
  if (!prev) {
    grads.set(name, g);
    return;
  }
  grads.set(name, prev.add(g));
  prev.dispose();
  g.dispose();
}
