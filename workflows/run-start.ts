/**
 * Where a run's training starts. Fresh: its data prepared, the base policy, the base evaluation. Resumed
 * (`omni-zero resume`): the old run's newest verified checkpoint, at the stage and step it holds, its data copied
 * rather than prepared again (docs/orchestration.md, "Resuming a run that ended").
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { DataCursor, PolicyRef, ResumeFrom, RunRef } from '../activities/types.ts';
import type { OrchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';
import { planAsRun, ResumePositionError, resumeStageIndex } from './resume-position.ts';
import type { RunPlan } from './run-plan.ts';
import type { RunProgress } from './run-progress.ts';
import { evaluatePolicy } from './shards.ts';
import type { Steering } from './steering.ts';

export interface RunStart {
  policy: PolicyRef;
  cursor: DataCursor;
  /** Global steps already done. */
  step: number;
  /** The stages as this run runs them (a resumed run keeps the old run's budgets), and the first one to run. */
  asRun: RunPlan;
  firstStage: number;
  /** The base policy's held-out scores (a fresh run with evaluation.baseline). */
  baseScores: Record<string, number | null> | null;
  resumedFrom?: { runId: string; step: number; checkpoint: string };
}

export async function freshStart(
  o: OrchestrationSettings,
  run: RunRef,
  plan: RunPlan,
  baseline: boolean,
  progress: RunProgress
): Promise<RunStart> {
  await activity(o, o.taskQueues.cpu, 'prepareData')({ run });
  const policy = await activity(o, o.taskQueues.gpu, 'initPolicy')({ run });
  let baseScores: RunStart['baseScores'] = null;
  if (baseline) {
    progress.setStatus('evaluating');
    baseScores = (await evaluatePolicy(o, { run, step: 0, stage: 'base', reason: 'base', policy })).scores;
  }
  return { policy, cursor: {}, step: 0, asRun: plan, firstStage: 0, baseScores };
}

export async function resumedStart(
  o: OrchestrationSettings,
  run: RunRef,
  plan: RunPlan,
  from: ResumeFrom,
  progress: RunProgress,
  steering: Steering
): Promise<RunStart> {
  const r = await activity(o, o.taskQueues.io, 'resumeFromCheckpoint')({ run, from });
  let asRun: RunPlan;
  let firstStage: number;
  try {
    asRun = planAsRun(plan, r.plan, r.stage);
    firstStage = resumeStageIndex(asRun, r.policy.step, r.stage);
  } catch (err) {
    if (!(err instanceof ResumePositionError)) throw err;
    progress.setStatus('failed');
    throw ApplicationFailure.nonRetryable(`cannot resume run '${from.runId}': ${err.message}`, err.type);
  }
  // A rate other than the stage's planned one was an adjust in the old run: it carries on, as it would have.
  if (r.plan && r.plan.learningRate !== asRun.stages[firstStage]?.learningRate)
    steering.learningRate = r.plan.learningRate;
  const resumedFrom = { runId: from.runId, step: r.policy.step, checkpoint: r.checkpoint };
  progress.resumed(plan, run, asRun.totalSteps, resumedFrom);
  await activity(o, o.taskQueues.cpu, 'prepareData')({ run }); // finds the copied data manifests: nothing is recomputed
  return {
    policy: r.policy,
    cursor: r.cursor,
    step: r.policy.step,
    asRun,
    firstStage,
    baseScores: null,
    resumedFrom,
  };
}
