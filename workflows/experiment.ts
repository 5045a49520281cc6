/**
 * The `experiment` workflow: one run of one config. Takes the config itself as its single JSON input, so it can be
 * pasted into the Web UI's "Start Workflow" form, or `{ config, runId }` from the CLI. Invalid input fails the
 * workflow at once, non-retryably, listing every problem. A valid config is planned (stages, step budgets, window
 * per step, batch shapes), then run: data preparation → base policy and its evaluation → each stage as a child
 * `stage` workflow (the RL step loop) followed by a stage-end evaluation → the result with the BWT matrix inputs.
 */
import {
  ApplicationFailure,
  executeChild,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities/index.ts';
import type { DataCursor, PolicyRef, ResumeFrom, RunRef, StepSummary } from '../activities/types.ts';
import { configHash } from '../schemas/config-hash.ts';
import { parseExperimentConfig } from '../schemas/parse.ts';
import { activityOptions, orchestrationSettings } from './activity-options.ts';
import { progressQuery, stepCompletedSignal } from './messages.ts';
import type { ExperimentProgress, RunStatus } from './progress.ts';
import { planAsRun, ResumePositionError, resumeStageIndex } from './resume-position.ts';
import { type RunPlan, runPlan, windowAtStep, windowSegments } from './run-plan.ts';
import { SA } from './search-attributes.ts';
import { type StageResult, stage } from './stage.ts';
import { forwardSteering, Steering } from './steering.ts';

type Activities = typeof activities;

/** The CLI's form of the input; a bare config object (from the Web UI) is treated as `{ config }`. */
export interface ExperimentStart {
  /** The experiment config as parsed JSON/YAML (validated here, not trusted). */
  config: unknown;
  /** Stable run id; default: the workflow id (a schedule's runs each get their own). */
  runId?: string;
  /**
   * Continue a failed run (`omni-zero resume`): its newest deep-verified checkpoint becomes this run's starting
   * policy, with the global step, stage and data cursor it carries; its prepared data is copied, not recomputed.
   */
  resumeFrom?: ResumeFrom;
}

export interface ExperimentResult {
  runId: string;
  status: 'completed' | 'stopped';
  summary: string;
  plan: RunPlan;
  steps: number;
  /** Where the run's checkpoints, metrics and evaluations are. */
  base: string;
  /** Held-out scores: the base, then after each stage (SPEC §8's BWT matrix). */
  evaluations: { after: string; step: number; scores: Record<string, number | null> }[];
  finalCheckpoint: string | null;
  /** Set when this run continued another: the old run, and the step this one started from. */
  resumedFrom?: { runId: string; step: number; checkpoint: string };
}

export const INVALID_CONFIG = 'InvalidExperimentConfig';

function isStart(input: unknown): input is ExperimentStart {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'config' in input;
}

export async function experiment(input: unknown): Promise<ExperimentResult> {
  const start: ExperimentStart = isStart(input) ? input : { config: input };
  const info = workflowInfo();
  const runId = start.runId ?? info.workflowId;
  const rawName = (start.config as { name?: unknown } | null)?.name;
  const progress: ExperimentProgress = {
    runId,
    experiment: typeof rawName === 'string' ? rawName : null,
    status: 'validating',
    stage: null,
    step: 0,
    totalSteps: 0,
    window: null,
    summary: null,
    lastMetrics: null,
    etaMs: null,
  };
  const setStatus = (status: RunStatus) => {
    progress.status = status;
    upsertSearchAttributes([{ key: SA.status, value: status }]);
  };
  setHandler(progressQuery, () => progress, { description: 'Stage, step / total, window in force, last metrics, ETA' });
  upsertSearchAttributes([
    { key: SA.run, value: runId },
    { key: SA.status, value: 'validating' },
    ...(progress.experiment ? [{ key: SA.experiment, value: progress.experiment }] : []),
  ]);

  const parsed = parseExperimentConfig(start.config);
  if (!parsed.ok) {
    const problems = parsed.issues.map((i) => `${i.path || '(config)'}: ${i.message}`);
    progress.problems = problems;
    setStatus('failed');
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    throw ApplicationFailure.nonRetryable(
      `invalid experiment config (${count}); fix these and start again:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      INVALID_CONFIG,
      { problems: parsed.issues }
    );
  }
  const config = parsed.config;
  const plan = runPlan(config);
  const orchestration = orchestrationSettings(config);
  const run: RunRef = {
    experiment: config.name,
    runId,
    base: `${config.checkpoint.storage.replace(/\/+$/, '')}/${runId}`,
    configHash: configHash(config),
  };
  const first = plan.stages[0];
  Object.assign(progress, {
    experiment: config.name,
    stage: first ? { index: 0, name: first.name, count: plan.stages.length } : null,
    totalSteps: plan.totalSteps,
    window: windowAtStep(plan, 0),
    summary: plan.summary,
  } satisfies Partial<ExperimentProgress>);
  setStatus('planned');
  upsertSearchAttributes([
    { key: SA.experiment, value: config.name },
    { key: SA.step, value: 0 },
    ...(first ? [{ key: SA.stage, value: first.name }] : []),
  ]);
  upsertMemo({
    summary: plan.summary,
    seed: config.seed,
    base: run.base,
    stages: plan.stages.map((s) => `${s.name}:${s.steps}`).join(' '),
  });
  setCurrentDetails(planDetails(plan, run));
  log.info('experiment planned', { runId, summary: plan.summary });

  // Budgets and starts as the run goes: a stage's budget may be adjusted, which moves every later stage's start.
  const stageSteps = plan.stages.map((s) => s.steps);
  const stageStartAt = plan.stages.map((s) => s.startStep);
  let activeChild: string | null = null;
  const steering = new Steering();
  forwardSteering(steering, {
    activeStage: () => activeChild,
    currentStage: () => {
      const i = progress.stage?.index ?? 0;
      return {
        index: i,
        name: plan.stages[i]?.name ?? '',
        stepsDone: Math.max(0, progress.step - (stageStartAt[i] ?? 0)),
        plannedSteps: stageSteps[i],
        plannedRate: plan.stages[i]?.learningRate ?? 0,
      };
    },
    status: () => progress.status,
    setStatus,
  });
  const started = Date.now();
  setHandler(stepCompletedSignal, (summary: StepSummary) => {
    progress.step = summary.step + 1;
    progress.window = summary.window;
    progress.lastMetrics = {
      ...(summary.rewardMean !== null ? { reward: summary.rewardMean } : {}),
      loss: summary.loss,
      ...Object.fromEntries(
        Object.entries(summary.perTask).flatMap(([t, v]) => (v === null ? [] : [[`reward/${t}`, v]]))
      ),
    };
    upsertSearchAttributes([
      { key: SA.step, value: progress.step },
      ...(summary.rewardMean !== null ? [{ key: SA.reward, value: summary.rewardMean }] : []),
    ]);
    const elapsed = Date.now() - started;
    const done = progress.step - (stageStartAt[0] ?? 0);
    progress.etaMs = done > 0 ? Math.round((elapsed / done) * (progress.totalSteps - progress.step)) : null;
  });

  const io = proxyActivities<Activities>(activityOptions(orchestration, orchestration.taskQueues.io, 'initRun'));
  const cpu = proxyActivities<Activities>(activityOptions(orchestration, orchestration.taskQueues.cpu, 'prepareData'));
  const gpu = proxyActivities<Activities>(activityOptions(orchestration, orchestration.taskQueues.gpu, 'evaluate'));

  await io.initRun({ run, config: start.config, plan });
  setStatus('preparing');
  let policy: PolicyRef;
  let cursor: DataCursor = {};
  let step = 0;
  let firstStage = 0;
  let resumedFrom: ExperimentResult['resumedFrom'];
  const evaluations: ExperimentResult['evaluations'] = [];
  if (start.resumeFrom !== undefined) {
    const from = start.resumeFrom;
    const r = await io.resumeFromCheckpoint({ run, from });
    try {
      const asRun = planAsRun(plan, r.plan, r.stage);
      firstStage = resumeStageIndex(asRun, r.policy.step, r.stage);
      asRun.stages.forEach((s, i) => {
        stageSteps[i] = s.steps;
        stageStartAt[i] = s.startStep;
      });
      progress.totalSteps = asRun.totalSteps;
      // A rate other than the stage's planned one was an adjust in the old run: it carries on, as it would have.
      if (r.plan && r.plan.learningRate !== asRun.stages[firstStage]?.learningRate)
        steering.learningRate = r.plan.learningRate;
    } catch (err) {
      if (!(err instanceof ResumePositionError)) throw err;
      setStatus('failed');
      throw ApplicationFailure.nonRetryable(`cannot resume run '${from.runId}': ${err.message}`, err.type);
    }
    ({ policy, cursor } = r);
    step = r.policy.step;
    resumedFrom = { runId: from.runId, step, checkpoint: r.checkpoint };
    progress.step = step;
    upsertMemo({ resumedFrom: from.runId, resumedAtStep: step, resumedCheckpoint: r.checkpoint });
    upsertSearchAttributes([{ key: SA.step, value: step }]);
    setCurrentDetails(
      `Resumed from run \`${from.runId}\` at step ${step} (checkpoint \`${r.checkpoint}\`)\n\n${planDetails(plan, run)}`
    );
    await cpu.prepareData({ run }); // finds the copied data manifests: nothing is recomputed
  } else {
    await cpu.prepareData({ run });
    policy = await gpu.initPolicy({ run });
    if (config.evaluation.baseline) {
      setStatus('evaluating');
      const base = await gpu.evaluate({ run, step: 0, stage: 'base', reason: 'base', policy });
      evaluations.push({ after: 'base', step: 0, scores: base.scores });
    }
  }
  const resumedAt = step;

  let finalCheckpoint: string | null = null;
  for (const planned of plan.stages) {
    if (steering.stopRequested) break;
    if (planned.index < firstStage) continue; // completed by the run this one resumes
    // A resumed stage keeps its planned start (windows count from there); otherwise budgets may have been adjusted:
    // this stage runs [step, step + its budget), its windows recomputed for that span.
    const stageStart = resumedFrom && planned.index === firstStage ? stageStartAt[planned.index] : step;
    stageStartAt[planned.index] = stageStart;
    const endStep = stageStart + steering.budgetOf(planned.index, stageSteps[planned.index]);
    const stageWindow = config.schedule.stages.find((s) => s.name === planned.name)?.window;
    const windows = windowSegments(config.window, { window: stageWindow, startStep: stageStart, endStep });
    progress.stage = { index: planned.index, name: planned.name, count: plan.stages.length };
    upsertSearchAttributes([{ key: SA.stage, value: planned.name }]);
    setStatus(steering.paused ? 'paused' : 'training');
    activeChild = `${info.workflowId}/stage-${planned.index}-${planned.name}`;
    const result: StageResult = await executeChild(stage, {
      workflowId: activeChild,
      taskQueue: orchestration.taskQueues.workflow,
      typedSearchAttributes: [
        { key: SA.experiment, value: config.name },
        { key: SA.run, value: runId },
        { key: SA.stage, value: planned.name },
        { key: SA.status, value: 'training' },
      ],
      args: [
        {
          run,
          stage: { index: planned.index, name: planned.name, startStep: stageStart, endStep, windows },
          step,
          policy,
          cursor,
          learningRate: planned.learningRate,
          checkpointEverySteps: plan.checkpointEverySteps,
          evaluateEverySteps: plan.evaluateEverySteps,
          evaluateAtStageEnd: plan.evaluateAtStageEnd,
          continueAsNewEverySteps: plan.continueAsNewEverySteps,
          reportEverySteps: plan.reportEverySteps,
          orchestration,
          parentId: info.workflowId,
          steering: steering.state(),
        },
      ],
    });
    activeChild = null;
    ({ step, policy, cursor } = result);
    finalCheckpoint = result.checkpoint;
    progress.step = step;
    if (result.evaluation) evaluations.push({ after: planned.name, ...result.evaluation });
    if (result.stopped) steering.stopRequested = true;
    if (steering.paused) await steering.released();
  }
  if (resumedFrom && !steering.stopRequested && step <= resumedAt) {
    // Unreachable by construction (resumeStageIndex); kept so a future change cannot make a resume a silent no-op.
    setStatus('failed');
    throw ApplicationFailure.nonRetryable(`resumed at step ${resumedAt} but trained no step`, 'NothingToResume');
  }
  const status = steering.stopRequested ? 'stopped' : 'completed';
  setStatus(status);
  return {
    runId,
    status,
    summary: plan.summary,
    plan,
    steps: step,
    base: run.base,
    evaluations,
    finalCheckpoint,
    ...(resumedFrom ? { resumedFrom } : {}),
  };
}

/** Markdown for the Web UI's "current details" panel. */
function planDetails(plan: RunPlan, run: RunRef): string {
  const rows = plan.stages.map((s) => {
    const windows = s.windows.map((w) => `${w.maxTokens}`).join(' → ');
    return `| ${s.index + 1} | ${s.name} | ${s.tasks.map((t) => `${t.task}×${t.weight}`).join(', ')} | ${s.startStep}–${s.endStep - 1} | ${windows} |`;
  });
  return [
    `**${plan.summary}**`,
    '',
    `${plan.batch.promptsPerStep} prompts × ${plan.batch.groupSize} responses per step; ${plan.batch.optimizerStepsPerStep} optimiser step(s) per step`,
    '',
    `Checkpoints, metrics and evaluations: \`${run.base}\``,
    '',
    '| # | stage | tasks | steps | window (tokens) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
