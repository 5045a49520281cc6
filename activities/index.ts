/**
 * Activities by worker role. Each activity is a thin adapter: read inputs from the blob store, call a library, write
 * outputs, heartbeat, return a small summary. Workflows import this module as types only.
 */
import type { WorkerRole } from '../workers/task-queues.ts';
import { scoreStep as score } from './dataflow.ts';
import { prepareData, sampleBatch } from './datasets.ts';
import { evaluate, initPolicy, rollout, update } from './gpu.ts';
import { mergeCheckpoints } from './merge.ts';
import { resumeFromCheckpoint } from './resume.ts';
import { checkpoint, initRun } from './run.ts';
import { compareSweepRuns } from './sweep.ts';

export {
  checkpoint,
  compareSweepRuns,
  evaluate,
  initPolicy,
  initRun,
  mergeCheckpoints,
  prepareData,
  resumeFromCheckpoint,
  rollout,
  sampleBatch,
  score,
  update,
};

const BY_ROLE = {
  main: {},
  gpu: { initPolicy, rollout, update, evaluate, mergeCheckpoints },
  cpu: { prepareData, sampleBatch, score },
  io: { initRun, checkpoint, resumeFromCheckpoint, compareSweepRuns },
} as const;

export function activitiesFor(role: WorkerRole): Record<string, (...args: any[]) => Promise<unknown>> {
  return BY_ROLE[role];
}
