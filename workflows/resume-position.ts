/**
 * Where a resumed run picks up: the stage holding the checkpoint's global step, checked against the stage the
 * checkpoint was taken in. Pure (runs inside the workflow). verl once resumed into zero training steps (its issue
 * #7401); here a checkpoint with nothing left to train is an error that says so, never a silent no-op run.
 */
import type { RunPlan } from './run-plan.ts';

export const NOTHING_TO_RESUME = 'NothingToResume';
export const RESUME_MISMATCH = 'ResumeMismatch';

export class ResumePositionError extends Error {
  constructor(
    message: string,
    readonly type: typeof NOTHING_TO_RESUME | typeof RESUME_MISMATCH
  ) {
    super(message);
    this.name = 'ResumePositionError';
  }
}

/**
 * The index of the stage to continue in, given the checkpoint's global step (steps already done) and the stage it
 * was taken in. A stage-end checkpoint (step = that stage's endStep) continues at the next stage.
 */
export function resumeStageIndex(plan: RunPlan, step: number, checkpointStage: string): number {
  if (!Number.isInteger(step) || step < 1)
    throw new ResumePositionError(`checkpoint step ${step} is not a step after training began`, RESUME_MISMATCH);
  if (step >= plan.totalSteps)
    throw new ResumePositionError(
      `the newest checkpoint is at step ${step}, the end of the plan (${plan.totalSteps} steps): nothing left to train; that checkpoint is the run's final policy`,
      NOTHING_TO_RESUME
    );
  // The step the checkpoint's policy trained last must lie in the stage the checkpoint names.
  const last = plan.stages.find((s) => step - 1 >= s.startStep && step - 1 < s.endStep);
  if (!last || last.name !== checkpointStage)
    throw new ResumePositionError(
      `the checkpoint at step ${step} was taken in stage '${checkpointStage}' but the plan puts step ${step - 1} in '${last?.name ?? 'no stage'}' (were stage budgets adjusted in the old run? resume needs the plan it ran)`,
      RESUME_MISMATCH
    );
  const next = plan.stages.findIndex((s) => step >= s.startStep && step < s.endStep);
  return next;
}
