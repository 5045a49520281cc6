/**
 * Which training rows make up one RL step's batch, and where each task's data cursor moves. Pure and deterministic
 * in (seed, step, cursor): every task's rows are visited in a seeded permutation per epoch, so a resumed run takes
 * exactly the rows the uninterrupted run would have, and no row repeats within an epoch (verl #7401's lesson: the
 * cursor is part of the checkpoint, and an epoch boundary is just the next permutation).
 */

import { sampleTasks, type TaskMixture } from '../rl/mixture.ts';
import { hashSeed, mulberry32, nameHash } from '../rl/random.ts';

export type TaskCursor = { epoch: number; offset: number };
export type DataCursor = Record<string, TaskCursor>;

export interface StepBatchInput {
  /** Task → number of training rows. */
  trainSizes: Record<string, number>;
  /** Task → weight for this stage (a curriculum stage has one task). */
  mixture: TaskMixture;
  /** Prompts in the batch. */
  count: number;
  seed: number;
  step: number;
  cursor: DataCursor;
  /** Dynamic sampling's extra draw of the step (1, 2, …): its tasks are mixed from their own stream; 0 = the step's batch. */
  draw?: number;
}

export interface StepBatch {
  /** One entry per batch slot: the task and the row's index in that task's training set. */
  picks: { task: string; row: number }[];
  cursor: DataCursor;
}

const EPOCH_DOMAIN = 0x65706f; // 'epo'
const DRAW_DOMAIN = 0x647277; // 'drw'

/** The order in which epoch `epoch` visits a task's `n` rows (Fisher–Yates from a seeded stream). */
export function epochOrder(n: number, seed: number, task: string, epoch: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(hashSeed(EPOCH_DOMAIN, seed, nameHash(task), epoch));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export function stepBatch(input: StepBatchInput): StepBatch {
  // Rows come from the cursor whatever the draw; only the task mix of a draw needs a stream of its own.
  const mixSeed = input.draw ? hashSeed(DRAW_DOMAIN, input.seed, input.draw) : input.seed;
  const slots = sampleTasks(input.mixture, input.count, mixSeed, input.step);
  const cursor: DataCursor = { ...input.cursor };
  const orders = new Map<string, number[]>();
  const picks = slots.map((task) => {
    const n = input.trainSizes[task];
    if (!n) throw new Error(`task '${task}' has no training rows`);
    const c = { ...(cursor[task] ?? { epoch: 0, offset: 0 }) };
    if (c.offset >= n) {
      c.epoch += 1;
      c.offset = 0;
    }
    const key = `${task}#${c.epoch}`;
    if (!orders.has(key)) orders.set(key, epochOrder(n, input.seed, task, c.epoch));
    const row = orders.get(key)![c.offset];
    c.offset += 1;
    cursor[task] = c;
    return { task, row };
  });
  return { picks, cursor };
}
