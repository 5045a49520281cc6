/**
 * Where a resumed run picks up: the stage holding the checkpoint's global step, checked against the stage the
 * checkpoint was taken in. Pure (runs inside the workflow). verl once resumed into zero training steps (its issue
 * #7401); here a checkpoint with nothing left to train is an error that says so, never a silent no-op run.
 */
import type { PlanInForce } from '../storage/checkpoints.ts';
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

/**
 * The plan as the old run was running it: the checkpoint's stage keeps its recorded step range, later stages follow
 * it with their configured budgets, earlier stages end where it starts (they are finished; only their order matters).
 * Without a record (checkpoints from before it was kept) the configured plan.
 */
export function planAsRun(plan: RunPlan, inForce: PlanInForce | undefined, checkpointStage: string): RunPlan {
  if (!inForce) return plan;
  const at = plan.stages[inForce.stageIndex];
  if (!at || at.name !== checkpointStage)
    throw new ResumePositionError(
      `the checkpoint says it was taken in stage ${inForce.stageIndex + 1} '${checkpointStage}', but stage ${inForce.stageIndex + 1} of the plan is '${at?.name ?? 'missing'}'`,
      RESUME_MISMATCH
    );
  const stages = plan.stages.map((s) => ({ ...s }));
  let end = inForce.stageStartStep;
  for (let i = inForce.stageIndex - 1; i >= 0; i--) {
    stages[i].endStep = end;
    stages[i].startStep = Math.max(0, end - stages[i].steps);
    stages[i].steps = end - stages[i].startStep;
    end = stages[i].startStep;
  }
  stages[inForce.stageIndex].startStep = inForce.stageStartStep;
  stages[inForce.stageIndex].endStep = inForce.stageEndStep;
  stages[inForce.stageIndex].steps = inForce.stageEndStep - inForce.stageStartStep;
  for (let i = inForce.stageIndex + 1; i < stages.length; i++) {
    stages[i].startStep = stages[i - 1].endStep;
    stages[i].endStep = stages[i].startStep + stages[i].steps;
  }
  return { ...plan, stages, totalSteps: stages.at(-1)?.endStep ?? 0 };
}
