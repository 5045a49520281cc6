/**
 * How many sequences a GRPO micro-batch may hold, and which gradient pass computes it: the largest number whose
 * estimated peak of tensor memory fits a budget. The default budget comes from the backend: wasm's heap cannot grow
 * past 4 GiB (beyond it the update aborts), the native backends share the machine's memory with everything else.
 *
 * Two gradient passes, two estimates, in float32 elements. Both hold the fixed part: weights, Adam's two moments and
 * the gradient sums (4 per parameter), plus a tied head's transposed copy (the no-grad scoring passes cache it).
 * - Layer-wise (engine/train/layerwise-grads.ts): the input of every layer, kept for backward, (L + 1)·N·d for
 *   N = rows × (length − 1) scored positions; then the larger of one layer's backward (68·N·d + 25·N·f + 11·N·H·T:
 *   its activations, their gradients, and the attention scores, N·H·T for T = length − 1 keys) and the output
 *   head's (16·c·V + 5·d·V + 8·N·d for chunks of c rows), or Adam's step on the largest parameter (8 times its size).
 * - Tape (engine/train/tape-grads.ts): every layer's saved activations and their gradients at once, L times
 *   72·N·d + 22·N·f + 10·N·H·T (tfjs frees neither before the whole backward pass ends), plus the head's backward.
 * The coefficients are measured peaks (tf.profile, tensorflow and wasm backends, six shapes from d 128 to 512 and
 * vocabularies from 263 to 32 k; the tape's per layer from models of 2 and 4 layers; `BENCH_PHASES=calibrate npm run
 * bench -- update-memory`), rounded up with a few percent to spare on wasm, the backend whose heap cannot grow.
 */
import os from 'node:os';
import { parameterCount, parameterShapes } from '../model/config.ts';
import type { ModelConfig } from '../types.ts';
import { chunks } from './batch.ts';
import { defaultChunkRows } from './logprobs.ts';

const FLOAT32_BYTES = 4;
/** wasm's heap limit is 4 GiB; a quarter is left for its allocator's fragmentation and the non-tensor heap. */
export const WASM_MEMORY_BUDGET = 3 * 2 ** 30;

/** The budget a backend gets when the config sets none: 3 GiB on wasm, half the machine's memory otherwise. */
export function defaultMemoryBudget(backend: string): number {
  return backend === 'wasm' ? WASM_MEMORY_BUDGET : Math.floor(os.totalmem() / 2);
}

/** Float32 elements alive at the peak of one decoder layer's backward, for `rows` sequences of `length` tokens. */
export function layerBackwardElements(config: ModelConfig, rows: number, length: number): number {
  const { hiddenSize: d, intermediateSize: f, numHeads: h } = config;
  const t = length - 1;
  const n = rows * t;
  return 68 * n * d + 25 * n * f + 11 * n * h * t;
}

/** Float32 elements alive at the peak of the output head's and loss's backward (chunks of `chunkRows` rows). */
export function headBackwardElements(config: ModelConfig, rows: number, length: number, chunkRows?: number): number {
  const { hiddenSize: d, vocabSize: v } = config;
  const n = rows * (length - 1);
  const c = Math.min(chunkRows ?? defaultChunkRows(v), n);
  return 16 * c * v + 5 * d * v + 8 * n * d;
}

/**
 * Float32 elements the whole-model tape holds for one decoder layer at the end of backward: what its ops saved and
 * the gradients of its intermediates (the tape frees neither before the pass ends).
 */
export function tapeLayerElements(config: ModelConfig, rows: number, length: number): number {
  const { hiddenSize: d, intermediateSize: f, numHeads: h } = config;
  const t = length - 1;
  const n = rows * t;
  return 72 * n * d + 22 * n * f + 10 * n * h * t;
}

/** How a micro-batch's gradients are computed: one tape over the model, or one layer at a time (recomputed). */
export type GradientPass = 'tape' | 'layerwise';

/**
 * Estimated peak tensor bytes of a GRPO update whose micro-batches hold `rows` sequences of `length` tokens, with
 * the given gradient pass (default layer-wise).
 */
export function updatePeakBytes(
  config: ModelConfig,
  rows: number,
  length: number,
  chunkRows?: number,
  pass: GradientPass = 'layerwise'
): number {
  const { hiddenSize: d, vocabSize: v, numLayers: layers } = config;
  const n = rows * (length - 1);
  const largest = Math.max(...[...parameterShapes(config).values()].map((s) => s.reduce((a, b) => a * b, 1)));
  const fixed = 4 * parameterCount(config) + (config.tieWordEmbeddings ? d * v : 0);
  const head = headBackwardElements(config, rows, length, chunkRows);
  const gradientPass =
    pass === 'tape'
      ? layers * tapeLayerElements(config, rows, length) + head
      : (layers + 1) * n * d + Math.max(layerBackwardElements(config, rows, length), head);
  return FLOAT32_BYTES * (fixed + Math.max(gradientPass, 8 * largest));
}

export class MemoryBudgetError extends Error {
  constructor(
    message: string,
    readonly budget: number,
    readonly needed: number
  ) {
    super(message);
    this.name = 'MemoryBudgetError';
  }
}

/** Bytes as MiB with two significant decimals below 10 MiB, so a small figure does not print as 0. */
function mib(bytes: number): string {
  const x = bytes / 2 ** 20;
  return x >= 10 ? String(Math.round(x)) : x.toPrecision(2);
}

/** Whether every micro-batch of `rows` consecutive sequences of `lengths` fits `budget` bytes with `pass`. */
function everyMicroBatchFits(
  config: ModelConfig,
  lengths: number[],
  rows: number,
  budget: number,
  chunkRows: number | undefined,
  pass: GradientPass
): boolean {
  return chunks(lengths.length, rows).every(
    (group) =>
      updatePeakBytes(config, group.length, Math.max(2, ...group.map((i) => lengths[i])), chunkRows, pass) <= budget
  );
}

/**
 * The most sequences per micro-batch, at most `maxRows`, such that every micro-batch of `lengths` (a mini-batch's
 * sequence lengths in order, split into consecutive groups) fits `budget` bytes with gradient pass `pass` (default
 * layer-wise). Throws a {@link MemoryBudgetError} when not even one sequence fits.
 */
export function microBatchRows(
  config: ModelConfig,
  lengths: number[],
  maxRows: number,
  budget: number,
  chunkRows?: number,
  pass: GradientPass = 'layerwise'
): number {
  if (!(budget > 0) || !Number.isFinite(budget)) {
    throw new MemoryBudgetError(`memory budget must be a positive number of bytes, got ${budget}`, budget, 0);
  }
  for (let rows = Math.min(maxRows, lengths.length); rows >= 1; rows--) {
    if (everyMicroBatchFits(config, lengths, rows, budget, chunkRows, pass)) return rows;
  }
  const longest = Math.max(2, ...lengths);
  const needed = updatePeakBytes(config, 1, longest, chunkRows, pass);
  throw new MemoryBudgetError(
    `the update needs about ${mib(needed)} MiB for one sequence of ${longest} tokens, over the memory budget of ` +
      `${mib(budget)} MiB: raise grpo.memoryBudgetMb, or shorten the response window`,
    budget,
    needed
  );
}

/**
 * The share of the memory budget the tape may take when the choice is automatic.
 *
 * Why a share of the budget: the tape saves the layer-wise pass's recomputation of every layer's forward pass (1.42×
 * the tape's CPU time on the 0.6 M demo model, where the layers are all the work; 1.12× on a 39 M model with a 32 k
 * vocabulary, where the head is most of it), but its memory grows with layers × tokens, while the layer-wise pass
 * holds one layer's. The time it saves shrinks as models grow and the memory it costs grows, so it is for small
 * updates, and "small" is measured against what the update was allowed: the budget. The budget is an upper bound for
 * the update alone; the same worker holds the sampler's KV cache, a reference policy, the runtime itself, and other
 * jobs share the machine. A quarter leaves the tape where it costs little (the demo's 64 × 74-token update, 1.2 GB
 * estimated, against half of a 24 GiB machine) and takes the layer-wise pass where it would dominate the process
 * (the 39 M model's 8 × 256-token update, 7.1 GB estimated, 4.8 times the layer-wise pass's 1.5 GB). On wasm (3 GiB
 * budget) the tape gets 768 MiB, far from the heap's 4 GiB limit.
 */
export const TAPE_BUDGET_SHARE = 1 / 4;

/** `grpo.gradientCheckpointing`: `true` forces the layer-wise pass, `false` the tape, `'auto'` chooses per update. */
export type GradientCheckpointing = 'auto' | boolean;

/** A mini-batch's gradient pass and its micro-batch size. */
export interface GradientPlan {
  pass: GradientPass;
  rows: number;
}

/**
 * The gradient pass and micro-batch size for a mini-batch of `lengths`. A forced pass gets the most rows its own
 * estimate fits in `budget`. `'auto'` sizes micro-batches for the layer-wise pass (the smaller estimate, so the
 * most rows), then takes the tape if, at that size, every micro-batch's tape estimate fits
 * {@link TAPE_BUDGET_SHARE} of the budget.
 */
export function gradientPlan(
  config: ModelConfig,
  lengths: number[],
  maxRows: number,
  budget: number,
  checkpointing: GradientCheckpointing,
  chunkRows?: number
): GradientPlan {
  if (checkpointing === false)
    return { pass: 'tape', rows: microBatchRows(config, lengths, maxRows, budget, chunkRows, 'tape') };
  const rows = microBatchRows(config, lengths, maxRows, budget, chunkRows, 'layerwise');
  const tapeFits =
    checkpointing === 'auto' &&
    everyMicroBatchFits(config, lengths, rows, TAPE_BUDGET_SHARE * budget, chunkRows, 'tape');
  return { pass: tapeFits ? 'tape' : 'layerwise', rows };
}
