/**
 * What every activity of a run needs: the run's blob store and its validated config (read once from `run.json`
 * and cached per process), JSONL and JSON helpers over the store, and the idempotency rule: a phase whose
 * `<phase>.done.json` exists is finished, and its summary is returned instead of doing the work again.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { parseExperimentConfig } from '../schemas/parse.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { openBlobStore } from '../storage/open.ts';
import { runKeys } from '../storage/run-layout.ts';
import { outageTolerant } from './blob-retry.ts';
import type { RunRef } from './types.ts';

export interface RunInfo {
  runId: string;
  experiment: string;
  configHash: string;
  /** The config document as written (re-validated on read). */
  config: unknown;
  plan: unknown;
  createdAt: string;
}

export interface RunContext {
  run: RunRef;
  store: BlobStore;
  config: ExperimentConfig;
}

const contexts = new Map<string, Promise<RunContext>>();

export function storeOf(run: RunRef): BlobStore {
  try {
    // Few SDK-level retries (they wait without heartbeats); the outage wait happens in outageTolerant, heartbeating.
    return outageTolerant(openBlobStore(run.base, { maxAttempts: 3 }));
  } catch (err) {
    throw ApplicationFailure.nonRetryable(`run storage '${run.base}': ${(err as Error).message}`, 'InvalidInput');
  }
}

export function runContext(run: RunRef): Promise<RunContext> {
  const key = `${run.base}#${run.configHash}`;
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = loadContext(run);
    contexts.set(key, ctx);
    ctx.catch(() => contexts.delete(key));
  }
  return ctx;
}

async function loadContext(run: RunRef): Promise<RunContext> {
  const store = storeOf(run);
  const info = await readJson<RunInfo>(store, runKeys.runInfo());
  // Retryable: initRun may still be writing it; if the storage was emptied under a running run, start a new run.
  if (!info)
    throw new Error(
      `run ${run.runId} has no run.json at ${store.uriOf(runKeys.runInfo())} yet (initRun writes it; if the run's storage was deleted, terminate this run and start a new one)`
    );
  if (info.configHash !== run.configHash) {
    throw ApplicationFailure.nonRetryable(
      `run.json at ${run.base} holds config ${info.configHash.slice(0, 12)}…, this run expects ${run.configHash.slice(0, 12)}…: two runs share a storage prefix; give them different run ids`,
      'InvalidInput'
    );
  }
  const parsed = parseExperimentConfig(info.config);
  if (!parsed.ok) {
    const problems = parsed.issues.map((i) => `${i.path || '(config)'}: ${i.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(
      `run.json of ${run.runId} no longer validates (${problems}): this worker runs a newer config schema than the run was started with; run it on workers of the run's version, or resume it as a new run`,
      'InvalidInput'
    );
  }
  return { run, store, config: parsed.config };
}

export async function readJson<T>(store: BlobStore, key: string): Promise<T | null> {
  if (!(await store.head(key))) return null;
  return JSON.parse(Buffer.from(await store.get(key)).toString('utf8')) as T;
}

export async function writeJson(store: BlobStore, key: string, value: unknown): Promise<void> {
  await store.put(key, JSON.stringify(value));
}

export async function readJsonl<T>(store: BlobStore, key: string): Promise<T[]> {
  const text = Buffer.from(await store.get(key)).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

export async function writeJsonl(store: BlobStore, key: string, rows: readonly unknown[]): Promise<void> {
  await store.put(key, rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : ''));
}

/** Runs `work` unless the phase's done-marker exists; the marker (the summary) is written last. */
export async function once<T>(
  store: BlobStore,
  doneKey: string,
  work: () => Promise<T>,
  stillValid: (done: T) => boolean = () => true
): Promise<T> {
  const done = await readJson<T>(store, doneKey);
  if (done !== null && stillValid(done)) return done;
  const result = await work();
  await writeJson(store, doneKey, result);
  return result;
}

/** The result another attempt recorded under `doneKey` (its done marker), which must exist. */
export async function recorded<T>(ctx: RunContext, doneKey: string): Promise<T> {
  const done = await readJson<T>(ctx.store, doneKey);
  if (done === null) throw new Error(`${ctx.store.uriOf(doneKey)}: the done marker seen a moment ago is gone`);
  return done;
}
