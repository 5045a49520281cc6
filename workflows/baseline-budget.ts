/**
 * The compute budgets of the baselines that are not RL runs (SPEC §10), as pure functions of recorded facts, so a
 * replayed workflow decides exactly as the first execution did.
 */
import type { BatchShape } from './run-plan.ts';

export interface SftBudget {
  /** Optimiser steps of fine-tuning. */
  steps: number;
  /** Sequences per optimiser step. */
  batchSize: number;
  /** steps × batchSize: sequences trained on, with repetition. */
  sequences: number;
}

/**
 * Rejection-sampling fine-tuning gets the RL run's update compute: as many optimiser steps as GRPO takes
 * (RL steps × mini-batches × epochs), each on as many sequences as one GRPO mini-batch (prompts × G). Fixed by the
 * config before anything runs, so it does not wait for the RL run; the trained tokens then differ only by the
 * length of the kept responses.
 */
export function sftBudget(
  rlSteps: number,
  batch: Pick<BatchShape, 'optimizerStepsPerStep' | 'miniBatchPrompts' | 'groupSize'>
): SftBudget {
  const steps = rlSteps * batch.optimizerStepsPerStep;
  const batchSize = batch.miniBatchPrompts * batch.groupSize;
  return { steps, batchSize, sequences: steps * batchSize };
}

export interface WallBudget {
  /** The compared run's wall time, ms. */
  budgetMs: number;
  /** This run's wall time so far, ms. */
  elapsedMs: number;
  /** The last training chunk's time (the estimate of the next one's), ms; 0 before the first. */
  lastChunkMs: number;
  /** Time to keep for the final evaluation (the base evaluation's), ms. */
  evaluationMs: number;
}

/**
 * Whether another chunk of training fits the wall-time budget: the time so far, the next chunk (as long as the last)
 * and the final evaluation must end within it. The first chunk always runs: a baseline that never trained is no row.
 */
export function anotherChunkFits(b: WallBudget, chunksDone: number): boolean {
  if (chunksDone === 0) return true;
  return b.elapsedMs + b.lastChunkMs + b.evaluationMs <= b.budgetMs;
}
