/** What a stage does after a step besides training: report, evaluate, checkpoint, continue-as-new, each at its cadence. */
import { workflowInfo } from '@temporalio/workflow';

export interface StageCadence {
  checkpointEverySteps: number;
  evaluateEverySteps: number;
  /** False: no stage-end evaluation (evaluation.atStageEnd). Absent in inputs recorded before the knob: true. */
  evaluateAtStageEnd?: boolean;
  continueAsNewEverySteps: number;
  /** Report every this many steps to the experiment (and always a stage's last step); default 1. */
  reportEverySteps?: number;
  /** Test hook: continue-as-new after this many history events. */
  maxHistoryEvents?: number;
}

/** Where a completed step leaves the stage. */
export interface AfterStep {
  /** Global steps completed. */
  step: number;
  /** Steps completed in this stage. */
  doneInStage: number;
  /** The stage's budget is reached. */
  atEnd: boolean;
  stopping: boolean;
}

export function reportDue(c: StageCadence, at: AfterStep): boolean {
  const every = c.reportEverySteps ?? 1;
  return every <= 1 || at.doneInStage % every === 0 || at.atEnd || at.stopping;
}

/** A stage's last step is evaluated at the stage end instead, unless that evaluation is switched off. */
export function periodicEvaluationDue(c: StageCadence, at: AfterStep): boolean {
  const periodicHere = !at.atEnd || c.evaluateAtStageEnd === false;
  return periodicHere && c.evaluateEverySteps > 0 && at.step % c.evaluateEverySteps === 0;
}

/** The stage end always takes a checkpoint of its own. */
export function checkpointDue(c: StageCadence, at: AfterStep): boolean {
  return !at.atEnd && at.doneInStage % c.checkpointEverySteps === 0;
}

/** Every `continueAsNewEverySteps` steps of this run, and whenever Temporal suggests it; never at the stage end. */
export function continueAsNewDue(c: StageCadence, at: AfterStep, stepsThisRun: number): boolean {
  if (at.atEnd) return false;
  const info = workflowInfo();
  if (info.continueAsNewSuggested) return true;
  if (c.maxHistoryEvents !== undefined && info.historyLength > c.maxHistoryEvents) return true;
  return stepsThisRun >= c.continueAsNewEverySteps;
}
