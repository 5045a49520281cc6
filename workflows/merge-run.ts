/**
 * `mergeRun`: the model-merging baseline as a run of its own (OT §4.3, issue 17). Its config is the experiment the
 * source runs were trained from; it prepares the same held-out sets, evaluates the base policy (step 0, reason
 * `base`), TIES-merges the sources' best checkpoints into checkpoint step 0 of this run, and evaluates the merged
 * model as the end of its one stage, `merge` (step 1, reason `final`). So it keeps the run layout of any run
 * (run.json, data/, eval/, checkpoints/), and the report and a sweep's comparison read it as they read a trained
 * run: final scores, average relative score and BWT against the same base. It trains no step: no metrics/.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { MergeSource, RunRef } from '../activities/types.ts';
import { configHash } from '../schemas/config-hash.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { orchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';
import type { ExperimentResult } from './experiment.ts';
import { configName, validConfig } from './experiment-start.ts';
import { type RunPlan, runLearningRate, runPlan } from './run-plan.ts';
import { RunProgress } from './run-progress.ts';

export interface MergeRunStart {
  /** The experiment config the sources were trained from (validated here); its model is the merge's base. */
  config: unknown;
  /** Stable run id; default: the workflow id. */
  runId?: string;
  sources: MergeSource[];
  /** TIES density and λ; defaults in training/ties-merge.ts. */
  density?: number;
  lambda?: number;
}

/** The name of a merged run's one stage, and of its evaluation's stage. */
export const MERGE_STAGE = 'merge';

/** A run plan with one stage, the merge, as one step: what run.json records and the report reads. */
export function mergePlan(config: ExperimentConfig, input: Pick<MergeRunStart, 'sources' | 'density' | 'lambda'>) {
  const plan = runPlan(config);
  const tasks = Object.keys(config.tasks)
    .sort()
    .map((task) => ({ task, weight: 1 }));
  const of = input.sources.map((s) => s.runId);
  return {
    ...plan,
    summary: `${config.name}: TIES-merge of ${of.join(', ')}`,
    totalSteps: 1,
    stages: [
      {
        index: 0,
        name: MERGE_STAGE,
        tasks,
        steps: 1,
        startStep: 0,
        endStep: 1,
        windows: [],
        learningRate: runLearningRate(config),
      },
    ],
    merge: { of, density: input.density ?? null, lambda: input.lambda ?? null },
  } satisfies RunPlan & { merge: unknown };
}

export async function mergeRun(input: MergeRunStart): Promise<ExperimentResult> {
  const runId = input.runId ?? workflowInfo().workflowId;
  const progress = new RunProgress(runId, configName(input.config));
  const config = validConfig(input.config, (problems) => progress.invalid(problems));
  const plan = mergePlan(config, input);
  const o = orchestrationSettings(config);
  const base = `${config.checkpoint.storage.replace(/\/+$/, '')}/${runId}`;
  const run: RunRef = { experiment: config.name, runId, base, configHash: configHash(config) };
  progress.planned(plan, run, config.seed);

  await activity(o, o.taskQueues.io, 'initRun')({ run, config: input.config, plan });
  progress.setStatus('preparing');
  await activity(o, o.taskQueues.cpu, 'prepareData')({ run });
  const basePolicy = await activity(o, o.taskQueues.gpu, 'initPolicy')({ run });
  progress.setStatus('evaluating');
  const evaluate = activity(o, o.taskQueues.gpu, 'evaluate');
  const baseEval = await evaluate({ run, step: 0, stage: 'base', reason: 'base', policy: basePolicy });
  const merged = await activity(
    o,
    o.taskQueues.gpu,
    'mergeCheckpoints'
  )({
    run,
    sources: input.sources,
    ...(input.density === undefined ? {} : { density: input.density }),
    ...(input.lambda === undefined ? {} : { lambda: input.lambda }),
  });
  const mergedEval = await evaluate({ run, step: 1, stage: MERGE_STAGE, reason: 'final', policy: merged.policy });
  progress.state.step = 1;
  progress.setStatus('completed');
  return {
    runId,
    status: 'completed',
    summary: plan.summary,
    plan,
    steps: 1,
    base,
    evaluations: [
      { after: 'base', step: 0, scores: baseEval.scores },
      { after: MERGE_STAGE, step: 1, scores: mergedEval.scores },
    ],
    finalCheckpoint: merged.checkpoint,
  };
}
