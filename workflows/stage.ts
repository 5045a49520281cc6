/**
 * The `stage` workflow: the RL step loop of one stage (DESIGN "One RL step, as data"), a child of `experiment`.
 * Each step is `runStep` (step.ts); after it, at their cadences (stage-cadence.ts): a report to the experiment, a
 * periodic evaluation, a checkpoint. It obeys the steering its experiment forwards (steering.ts). It continues as new
 * every `continueAsNewEverySteps` steps and whenever Temporal suggests it, carrying only references and small
 * summaries, so the history stays bounded however long the stage is.
 */
import { allHandlersFinished, condition, continueAsNew, upsertSearchAttributes } from '@temporalio/workflow';
import type { DataCursor, PolicyRef, RunRef, SampleBatchOutput, StepSummary } from '../activities/types.ts';
import type { PlanInForce } from '../storage/checkpoints.ts';
import type { OrchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';
import { GpuRoute } from './gpu-route.ts';
import type { WindowSegment } from './run-plan.ts';
import { SA } from './search-attributes.ts';
import { evaluatePolicy } from './shards.ts';
import {
  type AfterStep,
  checkpointDue,
  continueAsNewDue,
  periodicEvaluationDue,
  reportDue,
  type StageCadence,
} from './stage-cadence.ts';
import { obeySteering, Steering, type SteeringState } from './steering.ts';
import { runStep } from './step.ts';
import { StepReports } from './step-reports.ts';

export interface StageSpec {
  index: number;
  name: string;
  /** First global step of the stage and the step after its last, as planned (`adjust` may move the end). */
  startStep: number;
  endStep: number;
  windows: WindowSegment[];
}

export interface StageInput extends StageCadence {
  run: RunRef;
  stage: StageSpec;
  /** Next global step to run. */
  step: number;
  policy: PolicyRef;
  cursor: DataCursor;
  /** The stage's planned learning rate; an adjusted one is in `steering`. */
  learningRate: number;
  orchestration: OrchestrationSettings;
  /** Workflow id of the experiment to report steps to. */
  parentId: string;
  /** Steering in force when the stage (or this run of it) starts. */
  steering?: SteeringState;
  /** The GPU worker's own queue that holds the policy in memory (worker-specific task queue). */
  workerQueue?: string;
  /** Last completed step, for the progress of a continued run. */
  last?: StepSummary;
  /** The next step's batch, sampled while the previous update ran (carried over continue-as-new). */
  prefetched?: { step: number; batch: SampleBatchOutput };
}

export interface StageResult {
  step: number;
  policy: PolicyRef;
  cursor: DataCursor;
  last?: StepSummary;
  stopped: boolean;
  /** Checkpoint written at the end (stop or budget reached). */
  checkpoint: string | null;
  /** Held-out scores at the stage's end (null when stopped early). */
  evaluation: { step: number; scores: Record<string, number | null> } | null;
}

export async function stage(input: StageInput): Promise<StageResult> {
  const s: StageInput = { ...input };
  const o = s.orchestration;
  const steering = new Steering(s.steering);
  obeySteering(steering, s.stage.index);
  const gpu = new GpuRoute(o, s.workerQueue);
  const reports = new StepReports(s.parentId);
  const endStep = () => s.stage.startStep + steering.budgetOf(s.stage.index, s.stage.endStep - s.stage.startStep);
  const evaluate = (reason: 'periodic' | 'stage-end') =>
    evaluatePolicy(o, { run: s.run, step: s.step, stage: s.stage.name, reason, policy: s.policy });
  const checkpoint = () =>
    activity(
      o,
      o.taskQueues.io,
      'checkpoint'
    )({
      run: s.run,
      step: s.step,
      stage: s.stage.name,
      policy: s.policy,
      plan: planInForce(s.stage, endStep(), steering.rateFor(s.learningRate)),
    });
  let stepsThisRun = 0;

  while (s.step < endStep()) {
    await steering.released();
    // Stopped, or the budget was cut to this very step while the run was paused here.
    if (steering.stopRequested || s.step >= endStep()) break;
    const step = s.step;
    upsertSearchAttributes([{ key: SA.status, value: 'training' }]);
    const batch =
      s.prefetched?.step === step
        ? s.prefetched.batch
        : await activity(
            o,
            o.taskQueues.cpu,
            'sampleBatch'
          )({ run: s.run, step, stageIndex: s.stage.index, cursor: s.cursor });
    s.prefetched = undefined;
    const { updated, nextBatch, cursor } = await runStep(o, gpu, {
      run: s.run,
      step,
      stage: s.stage,
      policy: s.policy,
      batch,
      window: windowFor(s.stage, step),
      learningRate: steering.rateFor(s.learningRate),
      hasNextStep: () => step + 1 < endStep(),
    });
    if (nextBatch) s.prefetched = { step: step + 1, batch: nextBatch };
    Object.assign(s, { step: step + 1, policy: updated.policy, cursor, last: updated.summary });
    stepsThisRun++;
    const reward = updated.summary.rewardMean;
    upsertSearchAttributes([
      { key: SA.step, value: s.step },
      ...(reward !== null ? [{ key: SA.reward, value: reward }] : []),
    ]);

    const at: AfterStep = {
      step: s.step,
      doneInStage: s.step - s.stage.startStep,
      atEnd: s.step >= endStep(),
      stopping: steering.stopRequested,
    };
    if (reportDue(s, at)) await reports.send(updated.summary);
    // Evaluation first, so a checkpoint taken at the same step records its held-out score for keep-best.
    if (periodicEvaluationDue(s, at)) await evaluate('periodic');
    if (checkpointDue(s, at)) await checkpoint();
    if (continueAsNewDue(s, at, stepsThisRun)) {
      await reports.flushed();
      await condition(allHandlersFinished);
      return continueAsNew<typeof stage>({ ...s, workerQueue: gpu.workerQueue, steering: steering.state() });
    }
  }

  // Budget reached: the stage-end evaluation (SPEC §8's BWT rows). Stopped: none, the run ends here.
  const evaluation =
    steering.stopRequested || s.evaluateAtStageEnd === false
      ? null
      : { step: s.step, scores: (await evaluate('stage-end')).scores };
  // Either way the stage ends on a checkpoint, so a stop never loses completed steps.
  const ck = await checkpoint();
  await reports.flushed();
  await condition(allHandlersFinished);
  const { step, policy, cursor, last } = s;
  return { step, policy, cursor, last, stopped: steering.stopRequested, checkpoint: ck.prefix, evaluation };
}

/** Window in force at a global step of this stage; the last segment's value past its end (after an adjust). */
export function windowFor(stage: StageSpec, step: number): number {
  for (const w of stage.windows) if (step >= w.fromStep && step < w.toStep) return w.maxTokens;
  return stage.windows.at(-1)?.maxTokens ?? 1;
}

/** What a checkpoint records of the plan, so a resume continues with adjusted budgets and learning rate. */
function planInForce(stage: StageSpec, endStep: number, learningRate: number): PlanInForce {
  return { stageIndex: stage.index, stageStartStep: stage.startStep, stageEndStep: endStep, learningRate };
}
