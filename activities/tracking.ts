/**
 * Mirrors a run into the experiment trackers its config names (`tracking`): called by the activities right after
 * they write a record. A tracker that fails never fails the step: each failed call is written to
 * `tracking/failures/…` (one object per tracker, kind and step, so a retry overwrites rather than double-counts),
 * logged as a warning with the run's count, and that count is returned for the step's metrics.
 */

import { durationToMs } from '../schemas/experiment/primitives.ts';
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import { runKeys } from '../storage/run-layout.ts';
import { evalMetricValues, type NamedValue, stepMetricValues } from '../tracking/metric-names.ts';
import { MlflowClient } from '../tracking/mlflow-client.ts';
import { mlflowTarget, openMlflowRun } from '../tracking/mlflow-run.ts';
import { runLog } from './log.ts';
import { type RunContext, readJson, writeJson } from './run-context.ts';

type Mlflow = { client: MlflowClient; runId: string };
const opened = new Map<string, Promise<Mlflow>>();

/** The run's MLflow run, opened once per process (retried on the next call after a failure). */
function mlflowOf(ctx: RunContext): Promise<Mlflow> | null {
  const cfg = ctx.config.tracking?.mlflow;
  if (!cfg) return null;
  const key = `${cfg.uri}#${ctx.run.base}`;
  let run = opened.get(key);
  if (!run) {
    run = (async () => {
      const client = new MlflowClient({ uri: cfg.uri, timeoutMs: durationToMs(cfg.timeout) });
      const lineage = (await readJson<{ root: string }>(ctx.store, runKeys.trackingLineage()))?.root ?? ctx.run.runId;
      const runId = await openMlflowRun(client, mlflowTarget(cfg, ctx.config, ctx.run, lineage));
      return { client, runId };
    })();
    opened.set(key, run);
    run.catch(() => opened.delete(key));
  }
  return run;
}

/** Runs `log` against every configured tracker; the run's failure count when one failed, else null. Never throws. */
async function track(
  ctx: RunContext,
  what: string,
  step: number,
  log: (m: Mlflow) => Promise<void>
): Promise<number | null> {
  const mlflow = mlflowOf(ctx);
  if (!mlflow) return null;
  try {
    await log(await mlflow);
    return null;
  } catch (err) {
    const error = (err as Error).message;
    try {
      await writeJson(ctx.store, runKeys.trackingFailure('mlflow', what, step), {
        tracker: 'mlflow',
        what,
        step,
        error,
        at: new Date().toISOString(),
      });
      const failures = (await ctx.store.list(runKeys.trackingFailuresPrefix())).length;
      runLog(ctx.run).warn({ tracker: 'mlflow', what, step, error, failures }, 'tracker logging failed');
      return failures;
    } catch (storeErr) {
      runLog(ctx.run).warn(
        { tracker: 'mlflow', what, step, error, storeError: (storeErr as Error).message },
        'tracker logging failed'
      );
      return null;
    }
  }
}

const at = (values: NamedValue[], step: number, timestamp: number) => values.map((v) => ({ ...v, step, timestamp }));

/** One step's metrics at its step index (0-based, as in metrics/); the MLflow run is finished after the plan's last. */
export function trackStep(ctx: RunContext, m: StepMetrics): Promise<number | null> {
  return track(ctx, 'step', m.step, async ({ client, runId }) => {
    await client.logBatch(runId, { metrics: at(stepMetricValues(m), m.step, Date.now()) });
    const totalSteps = ctx.config.schedule.stages.reduce((s, x) => s + x.steps, 0);
    if (m.step + 1 >= totalSteps) await client.setStatus(runId, 'FINISHED');
  });
}

export function trackEvaluation(ctx: RunContext, e: EvalRecord): Promise<number | null> {
  return track(ctx, 'evaluation', e.step, ({ client, runId }) =>
    client.logBatch(runId, { metrics: at(evalMetricValues(e), e.step, Date.now()) })
  );
}

/** The checkpoint's URI as tag `checkpoint/step-<n>`; checkpoints retention deleted lose their tag. */
export function trackCheckpoint(
  ctx: RunContext,
  step: number,
  uri: string,
  deletedSteps: number[]
): Promise<number | null> {
  return track(ctx, 'checkpoint', step, async ({ client, runId }) => {
    await client.logBatch(runId, {
      tags: [
        { key: `checkpoint/step-${step}`, value: uri },
        { key: 'checkpoint/latest', value: uri },
      ],
    });
    for (const s of deletedSteps) await client.deleteTag(runId, `checkpoint/step-${s}`);
  });
}
