/**
 * How many sequences a GRPO micro-batch may hold: the largest number whose estimated peak of tensor memory fits a
 * budget. The default budget comes from the backend: wasm's heap cannot grow past 4 GiB (beyond it the update
 * aborts), the native backends share the machine's memory with everything else.
 *
 * The estimate is of the layer-wise gradient pass (engine/train/layerwise-grads.ts), in float32 elements:
 * - fixed: weights, Adam's two moments and the gradient sums (4 per parameter), plus a tied head's transposed copy
 *   (the no-grad scoring passes cache it);
 * - the input of every layer, kept for backward: (L + 1)·N·d for N = rows × (length − 1) scored positions;
 * - then the larger of one layer's backward (68·N·d + 25·N·f + 11·N·H·T: its activations, their gradients, and the
 *   attention scores, N·H·T for T = length − 1 keys) and the output head's (16·c·V + 5·d·V + 8·N·d for chunks of
 *   c rows), or Adam's step on the largest parameter (8 times its size).
 * The coefficients are measured peaks (tf.profile, tensorflow and wasm backends, six shapes from d 128 to 512 and
 * vocabularies from 263 to 32 k; `BENCH_PHASES=calibrate npm run bench -- update-memory`), rounded up with a few
 * percent to spare on wasm, the backend whose heap cannot grow.
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

/** Estimated peak tensor bytes of a GRPO update whose micro-batches hold `rows` sequences of `length` tokens. */
export function updatePeakBytes(config: ModelConfig, rows: number, length: number, chunkRows?: number): number {
  const { hiddenSize: d, vocabSize: v, numLayers: layers } = config;
  const n = rows * (length - 1);
  const largest = Math.max(...[...parameterShapes(config).values()].map((s) => s.reduce((a, b) => a * b, 1)));
  const fixed = 4 * parameterCount(config) + (config.tieWordEmbeddings ? d * v : 0);
  const backward = Math.max(
    layerBackwardElements(config, rows, length),
    headBackwardElements(config, rows, length, chunkRows)
  );
  const gradientPass = (layers + 1) * n * d + backward;
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

/**
 * The most sequences per micro-batch, at most `maxRows`, such that every micro-batch of `lengths` (a mini-batch's
 * sequence lengths in order, split into consecutive groups) fits `budget` bytes. Throws a {@link MemoryBudgetError}
 * when not even one sequence fits.
 */
export function microBatchRows(
  config: ModelConfig,
  lengths: number[],
  maxRows: number,
  budget: number,
  chunkRows?: number
): number {
  if (!(budget > 0) || !Number.isFinite(budget)) {
    throw new MemoryBudgetError(`memory budget must be a positive number of bytes, got ${budget}`, budget, 0);
  }
  const fits = (rows: number) =>
    chunks(lengths.length, rows).every(
      (group) =>
        updatePeakBytes(config, group.length, Math.max(2, ...group.map((i) => lengths[i])), chunkRows) <= budget
    );
  for (let rows = Math.min(maxRows, lengths.length); rows >= 1; rows--) if (fits(rows)) return rows;
  const longest = Math.max(2, ...lengths);
  const needed = updatePeakBytes(config, 1, longest, chunkRows);
  throw new MemoryBudgetError(
    `the update needs about ${mib(needed)} MiB for one sequence of ${longest} tokens, over the memory budget of ` +
      `${mib(budget)} MiB: raise grpo.memoryBudgetMb, or shorten the response window`,
    budget,
    needed
  );
}
