/**
 * What a baseline run that is not an RL run (SPEC §10: RFT, continued pretraining) does around its own training, as
 * `mergeRun` does: record the run with a one-stage plan, prepare the same data, evaluate the base (step 0, reason
 * `base`); at the end checkpoint the trained policy and evaluate it as the end of its one stage (reason `final`). So
 * the report and a sweep's comparison read it as they read a trained run: final scores, average relative score and
 * BWT against the same base, wall time.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { EvaluateOutput, PolicyRef, RunRef } from '../activities/types.ts';
import { configHash } from '../schemas/config-hash.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { type OrchestrationSettings, orchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';
import type { ExperimentResult } from './experiment.ts';
import { configName, validConfig } from './experiment-start.ts';
import { type RunPlan, runLearningRate, runPlan } from './run-plan.ts';
import { RunProgress } from './run-progress.ts';

export interface BaselineStart {
  /** The experiment config of the RL run this baseline is compared with (validated here); its model is the base. */
  config: unknown;
  /** Stable run id; default: the workflow id. */
  runId?: string;
}

/** A started baseline run: its config, its record, the base policy and the base's evaluation. */
export interface BaselineRun {
  config: ExperimentConfig;
  o: OrchestrationSettings;
  run: RunRef;
  plan: RunPlan;
  progress: RunProgress;
  basePolicy: PolicyRef;
  baseEval: EvaluateOutput;
}

/**
 * The plan of a baseline run: the RL plan's batch and cadences, one stage `name` over every task (equal weights, so
 * batches drawn for it mix the tasks as a joint stage does) of `steps` steps, and the baseline's own section.
 */
export function oneStagePlan(config: ExperimentConfig, name: string, steps: number, summary: string): RunPlan {
  const tasks = Object.keys(config.tasks)
    .sort()
    .map((task) => ({ task, weight: 1 }));
  const stage = { index: 0, name, tasks, steps, startStep: 0, endStep: steps, windows: [] };
  return {
    ...runPlan(config),
    summary: `${config.name}: ${summary}`,
    totalSteps: steps,
    stages: [{ ...stage, learningRate: runLearningRate(config) }],
  };
}

/** Validates, plans (`planOf` adds the baseline's section), records the run, prepares data, evaluates the base. */
export async function startBaseline(
  input: BaselineStart,
  planOf: (config: ExperimentConfig) => RunPlan
): Promise<BaselineRun> {
  const runId = input.runId ?? workflowInfo().workflowId;
  const progress = new RunProgress(runId, configName(input.config));
  const config = validConfig(input.config, (problems) => progress.invalid(problems));
  const plan = planOf(config);
  const o = orchestrationSettings(config);
  const base = `${config.checkpoint.storage.replace(/\/+$/, '')}/${runId}`;
  const run: RunRef = { experiment: config.name, runId, base, configHash: configHash(config) };
  progress.planned(plan, run, config.seed);

  await activity(o, o.taskQueues.io, 'initRun')({ run, config: input.config, plan });
  progress.setStatus('preparing');
  await activity(o, o.taskQueues.cpu, 'prepareData')({ run });
  const basePolicy = await activity(o, o.taskQueues.gpu, 'initPolicy')({ run });
  progress.setStatus('evaluating');
  const baseEval = await activity(
    o,
    o.taskQueues.gpu,
    'evaluate'
  )({
    run,
    step: 0,
    stage: 'base',
    reason: 'base',
    policy: basePolicy,
  });
  return { config, o, run, plan, progress, basePolicy, baseEval };
}

/** Checkpoints the trained policy as step `policy.step` and evaluates it as the end of the plan's one stage. */
export async function finishBaseline(b: BaselineRun, policy: PolicyRef): Promise<ExperimentResult> {
  const { o, run, plan } = b;
  const step = policy.step;
  const saved = await activity(o, o.taskQueues.io, 'checkpoint')({ run, step, stage: plan.stages[0].name, policy });
  b.progress.setStatus('evaluating');
  return evaluateFinal(b, policy, step, `${run.base}/${saved.prefix}`);
}

/** The final evaluation (reason `final`, at `step`, as the end of the plan's one stage), and the run's result. */
export async function evaluateFinal(
  b: BaselineRun,
  policy: PolicyRef,
  step: number,
  finalCheckpoint: string
): Promise<ExperimentResult> {
  const { o, run, plan } = b;
  const stage = plan.stages[0].name;
  const final = await activity(o, o.taskQueues.gpu, 'evaluate')({ run, step, stage, reason: 'final', policy });
  b.progress.state.step = plan.totalSteps;
  b.progress.setStatus('completed');
  return {
    runId: run.runId,
    status: 'completed',
    summary: plan.summary,
    plan,
    steps: step,
    base: run.base,
    evaluations: [
      { after: 'base', step: 0, scores: b.baseEval.scores },
      { after: stage, step, scores: final.scores },
    ],
    finalCheckpoint,
  };
}
