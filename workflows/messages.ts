/** Queries, signals and updates of the experiment and stage workflows, defined once so the CLI and workflows agree. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { StepSummary } from '../activities/types.ts';
import type { ExperimentProgress } from './progress.ts';

/** Where the run is: stage, step / total, window in force, last metrics, ETA. */
export const progressQuery = defineQuery<ExperimentProgress>('progress');

/** Hold at the next step boundary (the step in flight finishes). */
export const pauseSignal = defineSignal<[{ reason?: string }?]>('pause');
export const resumeSignal = defineSignal<[]>('resume');
/** Stop gracefully at the next step boundary, with a final checkpoint. */
export const stopSignal = defineSignal<[{ reason?: string }?]>('stop');

/** A change to a running experiment; every field optional. Validated before it touches state. */
export interface Adjustment {
  /** New learning rate from the next step on (> 0, < 1). */
  learningRate?: number;
  /** New step budget of the stage in progress (≥ steps already done in it, ≥ 1). */
  stageSteps?: number;
}
export const adjustUpdate = defineUpdate<AdjustResult, [Adjustment]>('adjust');
export interface AdjustResult {
  learningRate: number;
  stageSteps: number;
  stage: string;
}

/** Internal: the experiment forwards an accepted adjustment to its running stage. */
export const applyAdjustmentSignal = defineSignal<[Adjustment]>('applyAdjustment');
/** Internal: a stage reports each completed step to its experiment. */
export const stepCompletedSignal = defineSignal<[StepSummary]>('stepCompleted');
