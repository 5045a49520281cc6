/**
 * The HTML report of a run whose config names an MLflow server, stored in the run's MLflow run as the artifact
 * `report.html` and tagged `omni-zero.report` with its artifact URI. Called by `omni-zero report` after it wrote the
 * page; the MLflow run is the one the run's activities log to (opened the same way, so found, or created if every
 * earlier logging call failed).
 */

import { durationToMs } from '../schemas/experiment/primitives.ts';
import { parseExperimentConfig } from '../schemas/parse.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { runKeys } from '../storage/run-layout.ts';
import { MlflowClient } from './mlflow-client.ts';
import { mlflowTarget, openMlflowRun } from './mlflow-run.ts';

export const REPORT_TAG = 'omni-zero.report';

async function json<T>(store: BlobStore, key: string): Promise<T | null> {
  if (!(await store.head(key))) return null;
  return JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as T;
}

/** The report's artifact URI, or null when the run's config has no MLflow section (or no run.json to tell). */
export async function publishReportToMlflow(store: BlobStore, runId: string, html: string): Promise<string | null> {
  const info = await json<{ runId: string; experiment: string; configHash: string; config: unknown }>(
    store,
    runKeys.runInfo()
  );
  if (!info) return null;
  const parsed = parseExperimentConfig(info.config);
  if (!parsed.ok || !parsed.config.tracking?.mlflow) return null;
  const cfg = parsed.config.tracking.mlflow;
  const client = new MlflowClient({ uri: cfg.uri, timeoutMs: durationToMs(cfg.timeout) });
  const lineage = (await json<{ root: string }>(store, runKeys.trackingLineage()))?.root ?? runId;
  const target = mlflowTarget(cfg, parsed.config, { ...info, runId, base: store.uri }, lineage);
  const mlflowRun = await client.getRun(await openMlflowRun(client, target, { logging: false }));
  const artifact = await client.uploadArtifact(mlflowRun.info, 'report.html', html, 'text/html; charset=utf-8');
  await client.logBatch(mlflowRun.info.run_id, { tags: [{ key: REPORT_TAG, value: artifact }] });
  return artifact;
}
