/**
 * The one MLflow run of an omni-zero run: found by its tag `omni-zero.run` (activities retry, and several workers log
 * to the same run), created when missing, named after the run id. A resumed run is a new omni-zero run that continues
 * the MLflow run of the run it resumed (`lineage` = the first run's id), so the curves go on at the global step.
 */

import type { MlflowConfig } from '../schemas/experiment/tracking.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { flattenParams } from './flatten.ts';
import type { MlflowClient, MlflowKeyValue } from './mlflow-client.ts';

export const RUN_TAG = 'omni-zero.run';
export const LATEST_RUN_TAG = 'omni-zero.latest-run';

export interface MlflowRunTarget {
  experiment: string;
  /** The first run of the lineage: the MLflow run's name and `omni-zero.run` tag. */
  lineage: string;
  /** The omni-zero run logging now (differs from `lineage` after a resume). */
  runId: string;
  /** Logged once per process that opens the run; MLflow accepts a param logged again with the same value. */
  params: MlflowKeyValue[];
  tags: MlflowKeyValue[];
}

/**
 * The MLflow run id, creating the run (and the experiment) when needed. A run that logs (`logging`, the default)
 * records itself as the latest run and reopens a finished MLflow run (it is being resumed); a reader does neither.
 */
export async function openMlflowRun(
  client: MlflowClient,
  target: MlflowRunTarget,
  { logging = true }: { logging?: boolean } = {}
): Promise<string> {
  const experimentId = await client.experimentId(target.experiment);
  let [existing] = await client.runsTagged(experimentId, RUN_TAG, target.lineage);
  const found = existing !== undefined;
  if (!existing) {
    const created = await client.createRun(experimentId, target.lineage, [
      { key: RUN_TAG, value: target.lineage },
      ...target.tags,
    ]);
    // Two workers may create at once: the oldest run wins, the others remove theirs.
    [existing] = await client.runsTagged(experimentId, RUN_TAG, target.lineage);
    if (existing && existing.info.run_id !== created.run_id) await client.deleteRun(created.run_id);
    existing ??= { info: created, data: {} };
  }
  const id = existing.info.run_id;
  if (found && !logging) return id;
  await client.logBatch(id, {
    params: target.params,
    tags: [...target.tags, { key: LATEST_RUN_TAG, value: target.runId }],
  });
  if (existing.info.status !== 'RUNNING') await client.setStatus(id, 'RUNNING');
  return id;
}

/** The MLflow run of an omni-zero run: its experiment, lineage, the config as params and the run's identity tags. */
export function mlflowTarget(
  cfg: MlflowConfig,
  config: ExperimentConfig,
  run: { runId: string; experiment: string; configHash: string; base: string },
  lineage: string
): MlflowRunTarget {
  return {
    experiment: cfg.experiment ?? config.name,
    lineage,
    runId: run.runId,
    params: flattenParams(config),
    tags: [
      { key: 'omni-zero.experiment', value: run.experiment },
      { key: 'omni-zero.config-hash', value: run.configHash },
      { key: 'omni-zero.storage', value: run.base },
    ],
  };
}
