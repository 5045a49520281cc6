/**
 * Mirrors a run into the experiment trackers its config names (`tracking`): called by the activities right after
 * they write a record. A tracker that fails never fails the step: each failed call is written to
 * `tracking/failures/…` (one object per tracker, kind and step, so a retry overwrites rather than double-counts),
 * logged as a warning with the run's count, and that count is returned for the step's metrics.
 */
import path from 'node:path';
import { heartbeat } from '@temporalio/activity';
import { durationToMs } from '../schemas/experiment/primitives.ts';
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import { runKeys } from '../storage/run-layout.ts';
import { evalMetricValues, type NamedValue, stepMetricValues } from '../tracking/metric-names.ts';
import { MlflowClient } from '../tracking/mlflow-client.ts';
import { mlflowTarget, openMlflowRun } from '../tracking/mlflow-run.ts';
import { EventFileWriter } from '../tracking/tensorboard-events.ts';
import { runLog } from './log.ts';
import { type RunContext, readJson, writeJson } from './run-context.ts';

type Mlflow = { client: MlflowClient; runId: string };
/** What one record sends: to MLflow (given its open run), and TensorBoard's scalars at a step. */
interface Entry {
  mlflow?: (m: Mlflow) => Promise<void>;
  scalars?: { step: number; values: NamedValue[] };
}

const opened = new Map<string, Promise<Mlflow>>();
const writers = new Map<string, Promise<EventFileWriter>>();

/** The first run of a resumed run's lineage: trackers continue its MLflow run and TensorBoard folder. */
async function lineageOf(ctx: RunContext): Promise<string> {
  return (await readJson<{ root: string }>(ctx.store, runKeys.trackingLineage()))?.root ?? ctx.run.runId;
}

/** Per process and run, retried on the next call after a failure. */
function cached<T>(map: Map<string, Promise<T>>, key: string, open: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = open();
    map.set(key, value);
    value.catch(() => map.delete(key));
  }
  return value;
}

function mlflowOf(ctx: RunContext): Promise<Mlflow> | null {
  const cfg = ctx.config.tracking?.mlflow;
  if (!cfg) return null;
  return cached(opened, `${cfg.uri}#${ctx.run.base}`, async () => {
    const client = new MlflowClient({ uri: cfg.uri, timeoutMs: durationToMs(cfg.timeout) });
    const runId = await openMlflowRun(client, mlflowTarget(cfg, ctx.config, ctx.run, await lineageOf(ctx)));
    return { client, runId };
  });
}

function tensorboardOf(ctx: RunContext): Promise<EventFileWriter> | null {
  const cfg = ctx.config.tracking?.tensorboard;
  if (!cfg) return null;
  return cached(
    writers,
    `${cfg.dir}#${ctx.run.base}`,
    async () => new EventFileWriter(path.resolve(cfg.dir, await lineageOf(ctx)))
  );
}

/**
 * After a tracker fails, calls to it fail at once for this long (each still counted): a server that hangs costs a
 * step at most one request timeout per pause, not one per record.
 */
export const TRACKER_PAUSE_MS = 30_000;
const paused = new Map<string, { until: number; error: string }>();

async function guarded(key: string, call: () => Promise<void>): Promise<void> {
  const pause = paused.get(key);
  if (pause && Date.now() < pause.until)
    throw new Error(`skipped: failed less than ${TRACKER_PAUSE_MS / 1000} s ago (${pause.error})`);
  try {
    await call();
    paused.delete(key);
  } catch (err) {
    paused.set(key, { until: Date.now() + TRACKER_PAUSE_MS, error: (err as Error).message });
    throw err;
  }
}

/** Sends one record to every configured tracker; the run's failure count when one failed, else null. Never throws. */
async function track(ctx: RunContext, what: string, step: number, entry: Entry): Promise<number | null> {
  const calls: [string, () => Promise<void>][] = [];
  const mlflow = entry.mlflow && mlflowOf(ctx);
  if (mlflow && entry.mlflow) {
    const log = entry.mlflow;
    calls.push(['mlflow', async () => log(await mlflow)]);
  }
  const tensorboard = entry.scalars && tensorboardOf(ctx);
  if (tensorboard && entry.scalars) {
    const { step: at, values } = entry.scalars;
    calls.push([
      'tensorboard',
      async () =>
        (await tensorboard).scalars(
          at,
          values.map((v) => ({ tag: v.key, value: v.value }))
        ),
    ]);
  }
  let failures: number | null = null;
  for (const [tracker, call] of calls) {
    // Each request is bounded by its timeout; the heartbeat keeps a slow tracker from looking like a dead worker.
    heartbeat({ phase: 'tracking', tracker });
    try {
      await guarded(`${tracker}#${ctx.run.base}`, call);
    } catch (err) {
      failures = (await recordFailure(ctx, tracker, what, step, (err as Error).message)) ?? failures;
    }
  }
  return failures;
}

async function recordFailure(
  ctx: RunContext,
  tracker: string,
  what: string,
  step: number,
  error: string
): Promise<number | null> {
  try {
    await writeJson(ctx.store, runKeys.trackingFailure(tracker, what, step), {
      tracker,
      what,
      step,
      error,
      at: new Date().toISOString(),
    });
    const failures = (await ctx.store.list(runKeys.trackingFailuresPrefix())).length;
    runLog(ctx.run).warn({ tracker, what, step, error, failures }, 'tracker logging failed');
    return failures;
  } catch (storeErr) {
    runLog(ctx.run).warn(
      { tracker, what, step, error, storeError: (storeErr as Error).message },
      'tracker logging failed'
    );
    return null;
  }
}

const at = (values: NamedValue[], step: number, timestamp: number) => values.map((v) => ({ ...v, step, timestamp }));

/** One step's metrics at its step index (0-based, as in metrics/); the MLflow run is finished after the plan's last. */
export function trackStep(ctx: RunContext, m: StepMetrics): Promise<number | null> {
  const values = stepMetricValues(m);
  return track(ctx, 'step', m.step, {
    mlflow: async ({ client, runId }) => {
      await client.logBatch(runId, { metrics: at(values, m.step, Date.now()) });
      const totalSteps = ctx.config.schedule.stages.reduce((s, x) => s + x.steps, 0);
      if (m.step + 1 >= totalSteps) await client.setStatus(runId, 'FINISHED');
    },
    scalars: { step: m.step, values },
  });
}

export function trackEvaluation(ctx: RunContext, e: EvalRecord): Promise<number | null> {
  const values = evalMetricValues(e);
  return track(ctx, 'evaluation', e.step, {
    mlflow: ({ client, runId }) => client.logBatch(runId, { metrics: at(values, e.step, Date.now()) }),
    scalars: { step: e.step, values },
  });
}

/** The checkpoint's URI as MLflow tag `checkpoint/step-<n>`; checkpoints retention deleted lose their tag. */
export function trackCheckpoint(
  ctx: RunContext,
  step: number,
  uri: string,
  deletedSteps: number[]
): Promise<number | null> {
  return track(ctx, 'checkpoint', step, {
    mlflow: async ({ client, runId }) => {
      await client.logBatch(runId, {
        tags: [
          { key: `checkpoint/step-${step}`, value: uri },
          { key: 'checkpoint/latest', value: uri },
        ],
      });
      for (const s of deletedSteps) await client.deleteTag(runId, `checkpoint/step-${s}`);
    },
  });
}
