/**
 * Following a run from a terminal: poll its `progress` query (the experiment answers it from memory) every interval,
 * show each change, and return the final state when the workflow closes. Shared by `watch`, `status` and
 * `run --wait`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { progressQuery } from '../workflows/messages.ts';
import type { ExperimentProgress } from '../workflows/progress.ts';
import { type ProgressView, progressView } from './progress-view.ts';

export interface RunState {
  run: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED, CANCELLED, TIMED_OUT, … */
  workflowStatus: string;
  /** The `progress` query's answer; null when no worker could answer it (then see `searchAttributes`). */
  progress: ExperimentProgress | null;
  /** What the run last upserted (OmniStatus, OmniStage, OmniStep, OmniReward), always available. */
  searchAttributes: Record<string, unknown>;
  /** The failure message of a failed run. */
  failure?: string;
}

/** An `experiment` workflow's handle, or an error that says what to do. */
export async function experimentHandle(client: Client, run: string): Promise<WorkflowHandle> {
  const handle = client.workflow.getHandle(run);
  const d = await handle.describe().catch((err) => {
    throw new Error(`no run '${run}' (${(err as Error).message}); list runs with 'omni-zero ls'`);
  });
  if (d.type !== 'experiment')
    throw new Error(`'${run}' is a ${d.type} workflow, not an experiment run; list runs with 'omni-zero ls'`);
  return handle;
}

const QUERY_TIMEOUT_MS = 5_000;

/**
 * The progress query with a bound: with no worker polling, a query would otherwise wait for one. The call is
 * cancelled through an abort signal rather than left behind by a timer race, so it cannot outlive the connection.
 */
export async function queryProgress(handle: WorkflowHandle): Promise<ExperimentProgress> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), QUERY_TIMEOUT_MS);
  try {
    return await handle.client.withAbortSignal(timeout.signal, () => handle.query(progressQuery));
  } catch (err) {
    if (timeout.signal.aborted)
      throw new Error(`no answer in ${QUERY_TIMEOUT_MS / 1000} s; is a worker polling the run's task queue?`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Where a run is now: execution status, progress (when a worker answers), search attributes, failure. */
export async function runState(handle: WorkflowHandle): Promise<RunState> {
  const d = await handle.describe();
  const progress = await queryProgress(handle).catch(() => null);
  const searchAttributes = Object.fromEntries(
    Object.entries(d.searchAttributes).map(([k, v]) => [k, Array.isArray(v) && v.length === 1 ? v[0] : v])
  );
  const state: RunState = { run: handle.workflowId, workflowStatus: d.status.name, progress, searchAttributes };
  if (d.status.name === 'FAILED' || d.status.name === 'TIMED_OUT' || d.status.name === 'TERMINATED') {
    state.failure = await handle.result().then(
      () => undefined,
      (err) => (err instanceof WorkflowFailedError ? (err.cause?.message ?? err.message) : (err as Error).message)
    );
  }
  return state;
}

export interface WatchOptions {
  /** Poll period, ms. Default 1000. */
  intervalMs?: number;
  /** Where the progress is shown. */
  stream: NodeJS.WriteStream;
  /** Force the live bar on or off; default: a TTY without NO_COLOR. */
  live?: boolean;
  /** Print each changed snapshot as one JSON line instead (for machines). */
  json?: boolean;
}

function jsonView(stream: NodeJS.WriteStream): ProgressView {
  let last = '';
  return {
    update(p) {
      const { etaMs: _eta, ...rest } = p;
      const key = JSON.stringify(rest);
      if (key === last) return;
      last = key;
      stream.write(`${JSON.stringify(p)}\n`);
    },
    note: () => {},
    stop() {},
  };
}

/** Shows the run's progress until its workflow closes; returns the final state. */
export async function watchRun(handle: WorkflowHandle, opts: WatchOptions): Promise<RunState> {
  const interval = opts.intervalMs ?? 1000;
  const run = handle.workflowId;
  const view = opts.json ? jsonView(opts.stream) : progressView(run, opts.stream, opts.live);
  let queryProblem = '';
  try {
    for (;;) {
      const d = await handle.describe();
      if (d.status.name !== 'RUNNING') break;
      try {
        view.update(await queryProgress(handle));
        queryProblem = '';
      } catch (err) {
        const msg = `progress unavailable: ${(err as Error).message}`;
        if (msg !== queryProblem) view.note(msg);
        queryProblem = msg;
      }
      await sleep(interval);
    }
    const final = await runState(handle);
    if (final.progress) view.update(final.progress);
    return final;
  } finally {
    view.stop();
  }
}

/** Temporal statuses that mean the run did not finish on its own terms (exit code 1). */
export function failed(state: RunState): boolean {
  return ['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED'].includes(state.workflowStatus);
}
