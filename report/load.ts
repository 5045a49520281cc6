/**
 * Reads one run for the report from its blob-store base `<storage>/<runId>` (storage/run-layout.ts): run.json, every
 * `metrics/step-*.json` and `eval/step-*.json`, each validated with its schema. A malformed or unreadable object becomes
 * a line in `problems` (shown on the page), never an exception: a report of a half-broken run is still worth reading.
 */

import { type EvalRecord, evalRecordSchema } from '../schemas/records/eval-record.ts';
import { type StepMetrics, stepMetricsSchema } from '../schemas/records/step-metrics.ts';
import { type BlobStore, BlobStoreConfigError } from '../storage/blob-store.ts';
import { openBlobStore } from '../storage/open.ts';
import { runKeys, stepOfKey } from '../storage/run-layout.ts';
import type { RunData } from './run-data.ts';
import { parseRunInfo } from './run-info.ts';

export class RunNotFoundError extends Error {
  constructor(
    readonly runId: string,
    readonly uri: string
  ) {
    super(`no run '${runId}' at ${uri} (no run.json, metrics/ or eval/ there): check the run id and --storage`);
    this.name = 'RunNotFoundError';
  }
}

export interface LoadRunOptions {
  /** Objects fetched at once (S3 round trips dominate). Default 16. */
  concurrency?: number;
}

/** `file://`, `s3://` or an absolute path; the run lives at `<storageUri>/<runId>`. */
export async function loadRun(storageUri: string, runId: string, options: LoadRunOptions = {}): Promise<RunData> {
  checkRunId(runId);
  return loadRunFromStore(openBlobStore(`${storageUri.replace(/\/+$/, '')}/${runId}`), runId, options);
}

/**
 * Run ids become a path segment of the store: one segment of ordinary characters, so no id can escape the base.
 * ':' is allowed because a scheduled run's id ends in its action time (`nightly-schedule-2026-11-22T03:00:00Z`).
 */
export function checkRunId(runId: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(runId)) {
    throw new BlobStoreConfigError(
      `invalid run id '${runId}': use letters, digits, '.', '_', ':' or '-' (one path segment, as printed by omni-zero run)`
    );
  }
}

export async function loadRunFromStore(
  store: BlobStore,
  runId: string,
  options: LoadRunOptions = {}
): Promise<RunData> {
  const problems: string[] = [];
  const [infoText, metricKeys, evalKeys] = await Promise.all([
    readText(store, runKeys.runInfo(), problems, true),
    store.list(runKeys.metricsPrefix()),
    store.list(runKeys.evaluationPrefix()),
  ]);
  if (infoText === null && metricKeys.length === 0 && evalKeys.length === 0)
    throw new RunNotFoundError(runId, store.uri);

  let info: unknown = null;
  if (infoText !== null) {
    try {
      info = JSON.parse(infoText);
    } catch (err) {
      problems.push(`run.json is not JSON (${(err as Error).message}): header and stages inferred from the metrics`);
    }
  } else {
    problems.push('run.json is missing: header and stages inferred from the metrics');
  }

  const concurrency = options.concurrency ?? 16;
  const metrics = (
    await mapLimit(metricKeys, concurrency, (k) => readRecord(store, k.key, 'metrics', problems))
  ).filter((m): m is StepMetrics => m !== null);
  const evaluations = (await mapLimit(evalKeys, concurrency, (k) => readRecord(store, k.key, 'eval', problems))).filter(
    (e): e is EvalRecord => e !== null
  );
  metrics.sort((a, b) => a.step - b.step);
  evaluations.sort((a, b) => a.step - b.step);

  const header = parseRunInfo(info, runId, metrics, problems);
  const missing = missingSteps(
    metrics.map((m) => m.step),
    header.totalSteps
  );
  if (missing.length > 0) problems.push(`metrics missing for step${missing.length > 1 ? 's' : ''} ${ranges(missing)}`);
  problems.push(...(await trackerFailures(store)));
  return { header, metrics, evaluations, source: store.uri, problems };
}

/** One line per experiment tracker whose logging failed (activities/tracking.ts records each failed call). */
async function trackerFailures(store: BlobStore): Promise<string[]> {
  const byTracker = new Map<string, number>();
  for (const { key } of await store.list(runKeys.trackingFailuresPrefix())) {
    const tracker = key.slice(runKeys.trackingFailuresPrefix().length).split('-')[0];
    byTracker.set(tracker, (byTracker.get(tracker) ?? 0) + 1);
  }
  return [...byTracker].map(
    ([tracker, n]) =>
      `${tracker}: ${n} logging call${n > 1 ? 's' : ''} failed (the steps went on; the errors are in ${store.uriOf(runKeys.trackingFailuresPrefix())})`
  );
}

async function readText(store: BlobStore, key: string, problems: string[], optional = false): Promise<string | null> {
  try {
    if (optional && !(await store.head(key))) return null;
    return new TextDecoder().decode(await store.get(key));
  } catch (err) {
    problems.push(`${key}: could not be read (${(err as Error).message})`);
    return null;
  }
}

function readRecord(store: BlobStore, key: string, kind: 'metrics', problems: string[]): Promise<StepMetrics | null>;
function readRecord(store: BlobStore, key: string, kind: 'eval', problems: string[]): Promise<EvalRecord | null>;
async function readRecord(
  store: BlobStore,
  key: string,
  kind: 'metrics' | 'eval',
  problems: string[]
): Promise<StepMetrics | EvalRecord | null> {
  const step = stepOfKey(key);
  if (step === null) {
    problems.push(`${key}: not a step-<8 digits>.json key, ignored`);
    return null;
  }
  const text = await readText(store, key, problems);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    problems.push(`${key}: not JSON (${(err as Error).message})`);
    return null;
  }
  const parsed = kind === 'metrics' ? stepMetricsSchema.safeParse(json) : evalRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    problems.push(`${key}: invalid ${kind === 'metrics' ? 'StepMetrics' : 'EvalRecord'} (${issues})`);
    return null;
  }
  if (parsed.data.step !== step) {
    problems.push(`${key}: holds step ${parsed.data.step}, not ${step}; ignored`);
    return null;
  }
  return parsed.data;
}

/** Steps absent below the last one present (steps after it are simply not run yet). */
export function missingSteps(present: number[], totalSteps: number | null): number[] {
  if (present.length === 0) return [];
  const have = new Set(present);
  const last = Math.min(Math.max(...present), totalSteps === null ? Number.POSITIVE_INFINITY : totalSteps - 1);
  const out: number[] = [];
  for (let s = 0; s <= last; s++) if (!have.has(s)) out.push(s);
  return out;
}

/** `3, 7–9, 12` for [3, 7, 8, 9, 12] (sorted input). */
export function ranges(steps: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < steps.length; ) {
    let j = i;
    while (j + 1 < steps.length && steps[j + 1] === steps[j] + 1) j++;
    parts.push(i === j ? `${steps[i]}` : `${steps[i]}–${steps[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
