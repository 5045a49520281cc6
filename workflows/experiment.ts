/**
 * The `experiment` workflow: one run of one config. Takes the config itself as its single JSON input, so it can be
 * pasted into the Web UI's "Start Workflow" form, or `{ config, runId }` from the CLI (experiment-start.ts). A valid
 * config is planned (stages, step budgets, window per step, batch shapes), then run: data preparation → base policy
 * and its evaluation, or the checkpoint of the run it resumes (run-start.ts) → each stage as a child `stage` workflow
 * (the RL step loop) followed by a stage-end evaluation → the result with the BWT matrix inputs. Steering requests
 * are validated here and forwarded to the stage in progress (steering.ts).
 */
import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import type { RunRef } from '../activities/types.ts';
import { configHash } from '../schemas/config-hash.ts';
import { orchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';
import { configName, experimentStart, validConfig } from './experiment-start.ts';
import { NOTHING_TO_RESUME } from './resume-position.ts';
import { type RunPlan, runPlan } from './run-plan.ts';
import { RunProgress } from './run-progress.ts';
import { freshStart, resumedStart } from './run-start.ts';
import { runStage, stageWorkflowId } from './stage-child.ts';
import { forwardSteering, Steering } from './steering.ts';

export { type ExperimentStart, INVALID_CONFIG } from './experiment-start.ts';

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

export async function experiment(input: unknown): Promise<ExperimentResult> {
  const start = experimentStart(input);
  const parentId = workflowInfo().workflowId;
  const runId = start.runId ?? parentId;
  const progress = new RunProgress(runId, configName(start.config));
  const config = validConfig(start.config, (problems) => progress.invalid(problems));
  const plan = runPlan(config);
  const orchestration = orchestrationSettings(config);
  const base = `${config.checkpoint.storage.replace(/\/+$/, '')}/${runId}`;
  const run: RunRef = { experiment: config.name, runId, base, configHash: configHash(config) };
  progress.planned(plan, run, config.seed);

  // Stages as the run runs them (a resumed run keeps the old run's budgets), and where each one started.
  let asRun = plan;
  const startedAt: number[] = [];
  let activeStage: string | null = null;
  const steering = new Steering();
  forwardSteering(steering, {
    activeStage: () => activeStage,
    currentStage: () => {
      const i = progress.state.stage?.index ?? 0;
      const s = asRun.stages[i];
      const stepsDone = Math.max(0, progress.state.step - (startedAt[i] ?? s?.startStep ?? 0));
      return {
        index: i,
        name: s?.name ?? '',
        stepsDone,
        plannedSteps: s?.steps ?? 0,
        plannedRate: s?.learningRate ?? 0,
      };
    },
    status: () => progress.state.status,
    setStatus: (status) => progress.setStatus(status),
  });

  await activity(orchestration, orchestration.taskQueues.io, 'initRun')({ run, config: start.config, plan });
  progress.setStatus('preparing');
  const from = start.resumeFrom
    ? await resumedStart(orchestration, run, plan, start.resumeFrom, progress, steering)
    : await freshStart(orchestration, run, plan, config.evaluation.baseline, progress);
  asRun = from.asRun;
  let { step, policy, cursor } = from;
  const evaluations: ExperimentResult['evaluations'] = from.baseScores
    ? [{ after: 'base', step: 0, scores: from.baseScores }]
    : [];

  let finalCheckpoint: string | null = null;
  for (const planned of asRun.stages) {
    if (steering.stopRequested) break;
    if (planned.index < from.firstStage) continue; // completed by the run this one resumes
    // A resumed stage keeps its planned start (windows count from there); any other starts where the last one ended,
    // which an adjusted budget may have moved.
    const startStep = from.resumedFrom && planned.index === from.firstStage ? planned.startStep : step;
    startedAt[planned.index] = startStep;
    const steps = steering.budgetOf(planned.index, planned.steps);
    progress.stageStarted(planned.index, planned.name, plan.stages.length, steering.paused);
    activeStage = stageWorkflowId(parentId, planned);
    const result = await runStage({
      config,
      plan,
      run,
      orchestration,
      planned,
      startStep,
      steps,
      step,
      policy,
      cursor,
      steering: steering.state(),
      parentId,
    });
    activeStage = null;
    ({ step, policy, cursor } = result);
    finalCheckpoint = result.checkpoint;
    progress.state.step = step;
    if (result.evaluation) evaluations.push({ after: planned.name, ...result.evaluation });
    if (result.stopped) steering.stopRequested = true;
    if (steering.paused) await steering.released();
  }
  if (from.resumedFrom && !steering.stopRequested && step <= from.step) {
    // Unreachable by construction (resumeStageIndex); kept so a future change cannot make a resume a silent no-op.
    progress.setStatus('failed');
    throw ApplicationFailure.nonRetryable(`resumed at step ${from.step} but trained no step`, NOTHING_TO_RESUME);
  }
  const status = steering.stopRequested ? 'stopped' : 'completed';
  progress.setStatus(status);
  const resumedFrom = from.resumedFrom ? { resumedFrom: from.resumedFrom } : {};
  return {
    runId,
    status,
    summary: plan.summary,
    plan,
    steps: step,
    base,
    evaluations,
    finalCheckpoint,
    ...resumedFrom,
  };
}
