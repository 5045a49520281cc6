/**
 * Activities by worker role. Each activity is a thin adapter: read inputs from the blob store, call a library, write
 * outputs, heartbeat, return a small summary. Workflows import this module as types only.
 */
import { scoreStep as score } from './dataflow.ts';
import { prepareData, sampleBatch } from './datasets.ts';
import { evaluate, mergeEvaluation } from './evaluate.ts';
import { collectCorrect, fineTune } from './fine-tune.ts';
import { initPolicy, rollout, update } from './gpu.ts';
import { gpuWorkers } from './gpu-workers.ts';
import { mergeCheckpoints } from './merge.ts';
import { resumeFromCheckpoint } from './resume.ts';
import { checkpoint, initRun } from './run.ts';
import { compareSweepRuns } from './sweep.ts';

export {
  checkpoint,
  collectCorrect,
  compareSweepRuns,
  evaluate,
  fineTune,
  gpuWorkers,
  initPolicy,
  initRun,
  mergeCheckpoints,
  mergeEvaluation,
  prepareData,
  resumeFromCheckpoint,
  rollout,
  sampleBatch,
  score,
  update,
};

const BY_ROLE = {
  main: {},
  gpu: { initPolicy, rollout, update, evaluate, mergeCheckpoints, fineTune },
  cpu: { prepareData, sampleBatch, score, mergeEvaluation, collectCorrect },
  io: { initRun, checkpoint, resumeFromCheckpoint, compareSweepRuns, gpuWorkers },
} as const;

/** A worker's role (the keys of workers/task-queues.ts's queues): which activities its worker registers. */
export type ActivityRole = keyof typeof BY_ROLE;

export function activitiesFor(role: ActivityRole): Record<string, (...args: any[]) => Promise<unknown>> {
  return BY_ROLE[role];
}
