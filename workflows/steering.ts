/**
 * Steering: what a person asked of a running experiment (pause, stop, a new learning rate, a new step budget for the
 * stage in progress), held as one state. The experiment validates each request, keeps it for the stages still to
 * start and forwards it to the stage in progress; the stage obeys. Names and payloads are in messages.ts, shared with
 * the CLI and the Web UI.
 */
import { condition, getExternalWorkflowHandle, log, setHandler } from '@temporalio/workflow';
import {
  type Adjustment,
  type AdjustResult,
  adjustUpdate,
  applyAdjustmentSignal,
  pauseSignal,
  resumeSignal,
  stopSignal,
} from './messages.ts';
import type { RunStatus } from './progress.ts';

export interface SteeringState {
  /** Hold at the next step boundary. */
  paused: boolean;
  /** End at the next step boundary, with a final checkpoint. */
  stopRequested: boolean;
  /** The rate an `adjust` set, for the rest of the run (later stages included); unset: each stage's planned rate. */
  learningRate?: number;
  /** The budget an `adjust` set for one stage, by index; unset: the planned budget. */
  stageSteps?: { stage: number; steps: number };
}

export class Steering implements SteeringState {
  paused: boolean;
  stopRequested: boolean;
  learningRate?: number;
  stageSteps?: { stage: number; steps: number };

  constructor(state: Partial<SteeringState> = {}) {
    this.paused = state.paused ?? false;
    this.stopRequested = state.stopRequested ?? false;
    if (state.learningRate !== undefined) this.learningRate = state.learningRate;
    if (state.stageSteps !== undefined) this.stageSteps = state.stageSteps;
  }

  /** Applies an adjustment already validated; a new budget is for `stage`, the one in progress. */
  adjust(a: Adjustment, stage: number): void {
    if (a.learningRate !== undefined) this.learningRate = a.learningRate;
    if (a.stageSteps !== undefined) this.stageSteps = { stage, steps: a.stageSteps };
  }

  /** The learning rate in force for a stage whose plan gives it `planned`. */
  rateFor(planned: number): number {
    return this.learningRate ?? planned;
  }

  /** The step budget in force for stage `stage`, whose plan gives it `planned` steps. */
  budgetOf(stage: number, planned: number): number {
    return this.stageSteps?.stage === stage ? this.stageSteps.steps : planned;
  }

  /** Resolves when steps may run: not paused, or asked to stop. */
  released(): Promise<void> {
    return condition(() => !this.paused || this.stopRequested);
  }

  /** Plain data, to hand to a child or carry over continue-as-new. */
  state(): SteeringState {
    return {
      paused: this.paused,
      stopRequested: this.stopRequested,
      ...(this.learningRate !== undefined ? { learningRate: this.learningRate } : {}),
      ...(this.stageSteps !== undefined ? { stageSteps: this.stageSteps } : {}),
    };
  }
}

/** What an adjustment is checked against: the run and the stage it would change. */
export interface AdjustTarget {
  status: RunStatus;
  stage: string;
  /** Steps already done in that stage: a budget may not end before them. */
  stepsDone: number;
}

/**
 * The `adjust` update's validator: rejects a malformed or impossible request before it touches state, with a message
 * the CLI prints as is. Throws; returns nothing when the request may be applied.
 */
export function validateAdjustment(a: Adjustment, at: AdjustTarget): void {
  if (typeof a !== 'object' || a === null) throw new Error('adjust takes an object: { learningRate?, stageSteps? }');
  const known = ['learningRate', 'stageSteps'];
  const unknown = Object.keys(a).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`unknown field(s) ${unknown.join(', ')}: adjust takes learningRate, stageSteps`);
  if (a.learningRate === undefined && a.stageSteps === undefined) throw new Error('nothing to adjust');
  if (a.learningRate !== undefined && !(typeof a.learningRate === 'number' && a.learningRate > 0 && a.learningRate < 1))
    throw new Error(`learningRate must be a number in (0, 1), got ${String(a.learningRate)}`);
  const least = Math.max(1, at.stepsDone);
  if (a.stageSteps !== undefined && (!Number.isInteger(a.stageSteps) || a.stageSteps < least))
    throw new Error(
      `stageSteps must be a whole number ≥ ${least} (steps already done in '${at.stage}'), got ${String(a.stageSteps)}`
    );
  if (at.status === 'completed' || at.status === 'stopped') throw new Error(`the run is ${at.status}`);
}

/** The stage obeys: the requests its experiment forwards change its steering. */
export function obeySteering(steering: Steering, stageIndex: number): void {
  setHandler(pauseSignal, () => {
    steering.paused = true;
  });
  setHandler(resumeSignal, () => {
    steering.paused = false;
  });
  setHandler(stopSignal, () => {
    steering.stopRequested = true;
  });
  setHandler(applyAdjustmentSignal, (a) => steering.adjust(a, stageIndex));
}

/** What the experiment's handlers need to know of the run. */
export interface SteeredRun {
  /** Workflow id of the stage in progress; null between stages. */
  activeStage(): string | null;
  /** The stage an adjustment applies to (in progress, or last started), with its planned budget and rate. */
  currentStage(): { index: number; name: string; stepsDone: number; plannedSteps: number; plannedRate: number };
  status(): RunStatus;
  setStatus(status: RunStatus): void;
}

/** The experiment forwards: each request is applied here, for the stages to come, and passed to the running stage. */
export function forwardSteering(steering: Steering, run: SteeredRun): void {
  const forward = (send: (stageId: string) => Promise<void>) => {
    const id = run.activeStage();
    if (id) send(id).catch((err) => log.warn('could not reach the running stage', { err: String(err) }));
  };
  setHandler(pauseSignal, () => {
    steering.paused = true;
    run.setStatus('paused');
    forward((id) => getExternalWorkflowHandle(id).signal(pauseSignal));
  });
  setHandler(resumeSignal, () => {
    steering.paused = false;
    run.setStatus('training');
    forward((id) => getExternalWorkflowHandle(id).signal(resumeSignal));
  });
  setHandler(stopSignal, () => {
    steering.stopRequested = true;
    forward((id) => getExternalWorkflowHandle(id).signal(stopSignal));
  });
  setHandler(
    adjustUpdate,
    (a: Adjustment): AdjustResult => {
      const at = run.currentStage();
      steering.adjust(a, at.index);
      forward((id) => getExternalWorkflowHandle(id).signal(applyAdjustmentSignal, a));
      return {
        learningRate: steering.rateFor(at.plannedRate),
        stageSteps: steering.budgetOf(at.index, at.plannedSteps),
        stage: at.name,
      };
    },
    {
      validator: (a: Adjustment) => {
        const at = run.currentStage();
        validateAdjustment(a, { status: run.status(), stage: at.name, stepsDone: at.stepsDone });
      },
      description:
        'Change the learning rate (from now on, later stages included) or the current stage step budget: { learningRate?, stageSteps? }',
    }
  );
}
