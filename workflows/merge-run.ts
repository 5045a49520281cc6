/**
 * `mergeRun`: the model-merging baseline as a run of its own (OT §4.3, issue 17). Its config is the experiment the
 * source runs were trained from; it prepares the same held-out sets, evaluates the base policy (step 0, reason
 * `base`), TIES-merges the sources' best checkpoints into checkpoint step 0 of this run, and evaluates the merged
 * model as the end of its one stage, `merge` (step 1, reason `final`). So it keeps the run layout of any run
 * (run.json, data/, eval/, checkpoints/), and the report and a sweep's comparison read it as they read a trained
 * run: final scores, average relative score and BWT against the same base. It trains no step: no metrics/.
 */
import type { MergeSource } from '../activities/types.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { activity } from './activity-proxy.ts';
import { evaluateFinal, oneStagePlan, startBaseline } from './baseline-run.ts';
import type { ExperimentResult } from './experiment.ts';
import type { RunPlan } from './run-plan.ts';

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
  const of = input.sources.map((s) => s.runId);
  return {
    ...oneStagePlan(config, MERGE_STAGE, 1, `TIES-merge of ${of.join(', ')}`),
    merge: { of, density: input.density ?? null, lambda: input.lambda ?? null },
  } satisfies RunPlan & { merge: unknown };
}

export async function mergeRun(input: MergeRunStart): Promise<ExperimentResult> {
  const b = await startBaseline(input, (config) => mergePlan(config, input));
  const { o, run } = b;
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
  return evaluateFinal(b, merged.policy, 1, merged.checkpoint);
}
