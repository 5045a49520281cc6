/**
 * The `stage` workflow: the RL step loop of one stage (DESIGN "One RL step, as data"), a child of `experiment`.
 * Each step: sampleBatch (cpu) → rollout (gpu) → score (cpu) → update (gpu), a checkpoint every K steps (io), a
 * periodic evaluation every N. Continue-as-new every `continueAsNewEverySteps` steps and whenever Temporal suggests
 * it, carrying only references and small summaries, so the history stays bounded however long the stage is.
 */
import { msToNumber } from '@temporalio/common/lib/time.js';
import {
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities/index.ts';
import type {
  DataCursor,
  PolicyRef,
  RolloutInput,
  RolloutOutput,
  RunRef,
  SampleBatchOutput,
  StepSummary,
  UpdateInput,
} from '../activities/types.ts';
import { activityOptions, type OrchestrationSettings } from './activity-options.ts';
import { stepCompletedSignal } from './messages.ts';
import type { WindowSegment } from './run-plan.ts';
import { SA } from './search-attributes.ts';
import { obeySteering, Steering, type SteeringState } from './steering.ts';

type Activities = typeof activities;

export interface StageSpec {
  index: number;
  name: string;
  /** First global step of the stage and the step after its last (the budget; `adjust` may move endStep). */
  startStep: number;
  endStep: number;
  windows: WindowSegment[];
}

export interface StageInput {
  run: RunRef;
  stage: StageSpec;
  /** Next global step to run. */
  step: number;
  policy: PolicyRef;
  cursor: DataCursor;
  /** The stage's planned learning rate; an adjusted one is in `steering`. */
  learningRate: number;
  checkpointEverySteps: number;
  evaluateEverySteps: number;
  /** False: no stage-end evaluation (evaluation.atStageEnd). Absent in inputs recorded before the knob: true. */
  evaluateAtStageEnd?: boolean;
  continueAsNewEverySteps: number;
  /** Report every this many steps to the experiment (and always a stage's last step); default 1. */
  reportEverySteps?: number;
  orchestration: OrchestrationSettings;
  /** Workflow id of the experiment to report steps to. */
  parentId: string;
  /** Steering in force when the stage (or this run of it) starts. */
  steering?: SteeringState;
  /** The GPU worker's own queue that holds the policy in memory (worker-specific task queue). */
  workerQueue?: string;
  /** Last completed step, for the progress of a continued run. */
  last?: StepSummary;
  /** Test hook: continue-as-new after this many history events. */
  maxHistoryEvents?: number;
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

/** Window in force at a global step of this stage; the last segment's value past its end (after an adjust). */
export function windowFor(stage: StageSpec, step: number): number {
  for (const w of stage.windows) if (step >= w.fromStep && step < w.toStep) return w.maxTokens;
  return stage.windows.at(-1)?.maxTokens ?? 1;
}

/** An attempt that failed and would have been retried (not bad input, not a cancellation). */
function isRetryableAttemptFailure(err: unknown): boolean {
  return err instanceof ActivityFailure && err.retryState === 'MAXIMUM_ATTEMPTS_REACHED';
}

function isScheduleToStartTimeout(err: unknown): boolean {
  return (
    err instanceof ActivityFailure &&
    err.cause instanceof TimeoutFailure &&
    err.cause.timeoutType === 'SCHEDULE_TO_START'
  );
}

export async function stage(input: StageInput): Promise<StageResult> {
  const s: StageInput = { ...input };
  const o = s.orchestration;
  const cpu = proxyActivities<Activities>(activityOptions(o, o.taskQueues.cpu, 'score'));
  const io = proxyActivities<Activities>(activityOptions(o, o.taskQueues.io, 'checkpoint'));
  const sharedGpu = proxyActivities<Activities>(activityOptions(o, o.taskQueues.gpu, 'update'));
  const evaluator = proxyActivities<Activities>(activityOptions(o, o.taskQueues.gpu, 'evaluate'));
  // Rollout and update prefer the worker that holds the policy in memory; if it is gone (nobody picks the task up
  // within the schedule-to-start timeout), any GPU worker takes over and reloads from the policy reference. One
  // attempt there: a retryable failure means its worker died, and a retry would wait out the schedule-to-start
  // timeout on a queue nobody polls.
  const onGpu = async <K extends 'rollout' | 'update'>(
    name: K,
    arg: Parameters<Activities[K]>[0]
  ): Promise<Awaited<ReturnType<Activities[K]>>> => {
    if (s.workerQueue) {
      const options = activityOptions(o, s.workerQueue, name);
      const sticky = proxyActivities<Activities>({
        ...options,
        scheduleToStartTimeout: o.stickyScheduleToStartTimeout,
        retry: { ...options.retry, maximumAttempts: 1 },
      });
      try {
        return (await (sticky[name] as (a: typeof arg) => Promise<unknown>)(arg)) as Awaited<ReturnType<Activities[K]>>;
      } catch (err) {
        if (!isScheduleToStartTimeout(err) && !isRetryableAttemptFailure(err)) throw err;
        log.warn('the GPU worker holding the policy is gone; falling back to any GPU worker', { queue: s.workerQueue });
        s.workerQueue = undefined;
      }
    }
    return (await (sharedGpu[name] as (a: typeof arg) => Promise<unknown>)(arg)) as Awaited<ReturnType<Activities[K]>>;
  };

  /**
   * One step with the score scheduled together with the rollout (activities/dataflow.ts): it waits in its worker for
   * the rollout's output, so no workflow round trip sits between rollout and score; a failed rollout cancels it. The
   * update is still scheduled after the score: the worker holding the policy takes one activity at a time, and a task
   * queued behind a busy worker can wait long for its poller (measured: 20 s schedule-to-start timeouts in 2–3 of 8
   * steps when the update was scheduled ahead too).
   */
  const pipelinedStep = async (
    rolloutInput: RolloutInput,
    updateBase: Omit<UpdateInput, 'rolloutsKey' | 'rewardsKey' | 'timings'>,
    prefetchNext: () => Promise<SampleBatchOutput> | null
  ) => {
    const rolloutP = onGpu('rollout', rolloutInput);
    const scoreScope = new CancellationScope();
    const scoreP = scoreScope.run(() =>
      proxyActivities<Activities>({
        ...activityOptions(o, o.taskQueues.cpu, 'score'),
        // It waits for the rollout first.
        startToCloseTimeout: msToNumber(o.activityTimeouts.score) + msToNumber(o.activityTimeouts.rollout),
      }).score({ run: s.run, step: rolloutInput.step, promptsKey: rolloutInput.promptsKey, after: 'rollout' })
    );
    scoreP.catch(() => undefined); // awaited below; until then a failure must not count as unhandled
    let rollout: RolloutOutput;
    try {
      rollout = await rolloutP;
    } catch (err) {
      scoreScope.cancel();
      throw err;
    }
    s.workerQueue = rollout.workerQueue;
    const scored = await scoreP;
    const updating = onGpu('update', {
      ...updateBase,
      rolloutsKey: rollout.rolloutsKey,
      rewardsKey: scored.rewardsKey,
      timings: { rolloutMs: rollout.ms, scoringMs: scored.ms },
    });
    const [updated, nextBatch] = await Promise.all([updating, prefetchNext()]);
    return { rollout, updated, nextBatch };
  };

  const steering = new Steering(s.steering);
  obeySteering(steering, s.stage.index);
  const endStep = () => s.stage.startStep + steering.budgetOf(s.stage.index, s.stage.endStep - s.stage.startStep);
  const learningRate = () => steering.rateFor(s.learningRate);
  const parent = getExternalWorkflowHandle(s.parentId);
  let stepsThisRun = 0;
  let reporting: Promise<void> = Promise.resolve();
  let reportFailure: unknown = null;
  const reported = async () => {
    await reporting;
    if (reportFailure !== null) throw reportFailure;
  };

  while (s.step < endStep()) {
    await steering.released();
    if (steering.stopRequested) break;
    // The budget may have been cut to this very step while the run was paused here.
    if (s.step >= endStep()) break;
    const step = s.step;
    const window = windowFor(s.stage, step);
    upsertSearchAttributes([{ key: SA.status, value: 'training' }]);

    const batch =
      s.prefetched?.step === step
        ? s.prefetched.batch
        : await cpu.sampleBatch({ run: s.run, step, stageIndex: s.stage.index, cursor: s.cursor });
    s.prefetched = undefined;
    const rolloutInput = { run: s.run, step, policy: s.policy, promptsKey: batch.promptsKey, window };
    const updateBase = {
      run: s.run,
      step,
      stage: s.stage.name,
      policy: s.policy,
      promptsKey: batch.promptsKey,
      window,
      learningRate: learningRate(),
      cursor: batch.cursor,
    };
    // The next batch is sampled during the update (it needs only the data cursor), off the critical path. A batch
    // sampled for a step the stage never reaches (stop, a shortened budget) is harmless: it is keyed by stage too.
    const prefetchNext = () => {
      if (step + 1 >= endStep()) return null;
      return cpu.sampleBatch({ run: s.run, step: step + 1, stageIndex: s.stage.index, cursor: batch.cursor });
    };
    const { updated, nextBatch } = await pipelinedStep(rolloutInput, updateBase, prefetchNext);
    if (nextBatch) s.prefetched = { step: step + 1, batch: nextBatch };
    s.workerQueue = updated.workerQueue;
    s.policy = updated.policy;
    s.cursor = batch.cursor;
    s.step = step + 1;
    s.last = updated.summary;
    stepsThisRun++;
    upsertSearchAttributes([
      { key: SA.step, value: s.step },
      ...(updated.summary.rewardMean !== null ? [{ key: SA.reward, value: updated.summary.rewardMean }] : []),
    ]);
    const every = s.reportEverySteps ?? 1;
    if (every <= 1 || (s.step - s.stage.startStep) % every === 0 || s.step >= endStep() || steering.stopRequested) {
      await reported(); // the previous step's report (long confirmed in practice); rethrows its failure
      // Not awaited here: the server's confirmation would cost the next step a workflow-task round trip.
      const report = parent.signal(stepCompletedSignal, updated.summary);
      reporting = report.then(
        () => {},
        (err) => {
          reportFailure = err;
        }
      );
    }

    const done = s.step - s.stage.startStep;
    const atEnd = s.step >= endStep();
    // Evaluation first, so a checkpoint taken at the same step records its held-out score for keep-best. A stage's
    // last step is evaluated at the stage end, unless that evaluation is switched off.
    const periodicHere = !atEnd || s.evaluateAtStageEnd === false;
    if (periodicHere && s.evaluateEverySteps > 0 && s.step % s.evaluateEverySteps === 0) {
      await evaluator.evaluate({ run: s.run, step: s.step, stage: s.stage.name, reason: 'periodic', policy: s.policy });
    }
    if (!atEnd && done % s.checkpointEverySteps === 0) {
      await io.checkpoint({
        run: s.run,
        step: s.step,
        stage: s.stage.name,
        policy: s.policy,
        plan: planInForce(s.stage, endStep(), learningRate()),
      });
    }
    if (!atEnd && shouldContinueAsNew(s, stepsThisRun)) {
      await reported();
      await condition(allHandlersFinished);
      return continueAsNew<typeof stage>({ ...s, steering: steering.state() });
    }
  }

  // Budget reached: the stage-end evaluation (SPEC §8's BWT rows). Stopped: none, the run ends here.
  const evaluation =
    steering.stopRequested || s.evaluateAtStageEnd === false
      ? null
      : {
          step: s.step,
          scores: (
            await evaluator.evaluate({
              run: s.run,
              step: s.step,
              stage: s.stage.name,
              reason: 'stage-end',
              policy: s.policy,
            })
          ).scores,
        };
  // Either way the stage ends on a checkpoint, so a stop never loses completed steps.
  const ck = await io.checkpoint({
    run: s.run,
    step: s.step,
    stage: s.stage.name,
    policy: s.policy,
    plan: planInForce(s.stage, endStep(), learningRate()),
  });
  await reported();
  await condition(allHandlersFinished);
  return {
    step: s.step,
    policy: s.policy,
    cursor: s.cursor,
    last: s.last,
    stopped: steering.stopRequested,
    checkpoint: ck.prefix,
    evaluation,
  };
}

function shouldContinueAsNew(s: StageInput, stepsThisRun: number): boolean {
  const info = workflowInfo();
  if (info.continueAsNewSuggested) return true;
  if (s.maxHistoryEvents !== undefined && info.historyLength > s.maxHistoryEvents) return true;
  return stepsThisRun >= s.continueAsNewEverySteps;
}

/** What a checkpoint records of the plan, so a resume continues with adjusted budgets and learning rate. */
function planInForce(stage: StageSpec, endStep: number, learningRate: number) {
  return { stageIndex: stage.index, stageStartStep: stage.startStep, stageEndStep: endStep, learningRate };
}
