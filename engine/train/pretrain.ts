/**
 * Next-token pretraining: cross-entropy on the scored tokens (the response of `{prompt, response}` rows, or every
 * token after BOS for plain text), token-mean over the batch, Adam with linear warm-up and global-norm clipping.
 * Batches are drawn from keyedRandom(seed, 'pretrain', step), so a run is reproducible and resumable by step.
 */
import * as tf from '@tensorflow/tfjs';
import { keyedRandom } from '../../rl/random.ts';
import type { ModelConfig, Params } from '../types.ts';
import { type Adam, clipGradients } from './adam.ts';
import { type PromptResponse, toTokenBatch } from './batch.ts';
import { sftLoss } from './sft-loss.ts';

export interface PretrainOptions {
  /** Optimiser steps. */
  steps: number;
  /** Sequences per step; default 64. */
  batchSize?: number;
  /** Peak learning rate after warm-up; default 3e-3 (tfjs-probe: right for 0.4M-parameter models). */
  learningRate?: number;
  /** Linear warm-up steps; default 30. */
  warmupSteps?: number;
  /** After warm-up: `constant` (default) or `cosine` down to `minLearningRate` at the last step. */
  schedule?: 'constant' | 'cosine';
  /** Floor of the cosine schedule; default learningRate / 10. */
  minLearningRate?: number;
  /** Global gradient-norm clip; default 1.0. */
  maxGradNorm?: number;
  /** Seed for batch sampling; default 0. */
  seed?: number;
  /** First step number (to continue a run); default 0. */
  startStep?: number;
  /** Pad id; default 0. */
  padId?: number;
  /** Called after every step. */
  onStep?: (step: number, metrics: PretrainStepMetrics) => void;
}

export interface PretrainStepMetrics {
  /** Mean negative log-likelihood per scored token (nats). */
  loss: number;
  gradNorm: number;
  tokens: number;
  learningRate: number;
}

/** One optimiser step of next-token training on these rows. */
export function pretrainStep(
  params: Params,
  config: ModelConfig,
  optimizer: Adam,
  rows: PromptResponse[],
  options: { maxGradNorm?: number; padId?: number } = {}
): Omit<PretrainStepMetrics, 'learningRate'> {
  const batch = toTokenBatch(rows, options.padId ?? 0);
  const tokens = batch.mask.flat().reduce((a, b) => a + b, 0);
  const variables = [...params.entries()].filter(([, v]) => v.trainable);
  const nameOf = new Map(variables.map(([name, v]) => [v.name, name]));
  const { value, grads } = tf.variableGrads(
    () => sftLoss(params, config, batch),
    variables.map(([, v]) => v)
  );
  const loss = value.dataSync()[0];
  value.dispose();
  const named = new Map(Object.entries(grads).map(([k, g]) => [nameOf.get(k)!, g]));
  const gradNorm = clipGradients(named, options.maxGradNorm ?? 1);
  optimizer.apply(named);
  for (const g of named.values()) g.dispose();
  return { loss, gradNorm, tokens };
}

/** Linear warm-up to `peak`, then constant or cosine to the floor at `total` steps. */
export function learningRateAt(
  step: number,
  total: number,
  peak: number,
  warmup: number,
  options: Pick<PretrainOptions, 'schedule' | 'minLearningRate'>
): number {
  if (step < warmup) return (peak * (step + 1)) / warmup;
  if (options.schedule !== 'cosine') return peak;
  const floor = options.minLearningRate ?? peak / 10;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - 1 - warmup));
  return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
}

/** Runs `steps` steps on rows drawn with replacement from `examples`; returns the last step's metrics. */
export function pretrain(
  params: Params,
  config: ModelConfig,
  optimizer: Adam,
  examples: PromptResponse[],
  options: PretrainOptions
): PretrainStepMetrics | undefined {
  if (examples.length === 0) throw new Error('pretrain: the corpus has no examples');
  if (!Number.isInteger(options.steps) || options.steps < 0) {
    throw new Error(`pretrain: steps must be a non-negative integer, got ${options.steps}`);
  }
  const batchSize = options.batchSize ?? 64;
  const peak = options.learningRate ?? 3e-3;
  const warmup = options.warmupSteps ?? 30;
  const start = options.startStep ?? 0;
  const tooLong = examples.findIndex((e) => e.prompt.length + e.response.length > config.maxPositions);
  if (tooLong >= 0) {
    throw new Error(
      `pretrain: example ${tooLong} is longer than maxPositions ${config.maxPositions}; shorten it or pick a larger preset`
    );
  }
  let last: PretrainStepMetrics | undefined;
  for (let step = start; step < start + options.steps; step++) {
    const random = keyedRandom(options.seed ?? 0, 'pretrain', step);
    const rows = Array.from({ length: batchSize }, () => examples[Math.floor(random() * examples.length)]);
    const learningRate = learningRateAt(step, start + options.steps, peak, warmup, options);
    optimizer.options = { ...optimizer.options, learningRate };
    const m = pretrainStep(params, config, optimizer, rows, options);
    last = { ...m, learningRate };
    options.onStep?.(step, last);
  }
  return last;
}
