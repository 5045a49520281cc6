/**
 * A blob store that waits out an outage of its server inside the activity: connection-level failures (refused,
 * reset, timed out, 5xx) are retried with backoff for up to `maxWaitMs` while the activity heartbeats, so a short
 * heartbeat timeout does not kill the attempt and a 30 s S3 outage does not burn the activity's retry budget (a short
 * backoff such as 200 ms–2 s spends 10 attempts in under 30 s, failing the run on ECONNREFUSED). Real errors (not found, bad input, checksum) pass through at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import type { BlobStore } from '../storage/blob-store.ts';

export interface OutageRetryOptions {
  /** Longest total wait for one call before the error is thrown to Temporal's retry policy. Default 10 min. */
  maxWaitMs?: number;
  /** First pause between tries; doubles up to `maxDelayMs`. Default 250 ms. */
  initialDelayMs?: number;
  /** Longest pause between tries. Default 5 s. */
  maxDelayMs?: number;
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

/** A failure of the connection or the server, not of the request: worth waiting for. */
export function isTransientStoreError(err: unknown): boolean {
  for (let e = err as Record<string, any> | undefined, depth = 0; e && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
    if (typeof e.errno === 'string' && TRANSIENT_CODES.has(e.errno)) return true;
    const status = e.$metadata?.httpStatusCode;
    if (typeof status === 'number' && status >= 500) return true;
    if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return true;
    if (typeof e.message === 'string' && /socket hang up|ECONNREFUSED|ECONNRESET/.test(e.message)) return true;
  }
  return false;
}

function activityContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

async function pauseWithHeartbeats(ms: number, detail: Record<string, unknown>): Promise<void> {
  const ctx = activityContext();
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ctx?.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? new Error('activity cancelled');
    ctx?.heartbeat(detail);
    // Slices of at most 1 s: a heartbeat timeout shorter than the backoff still sees one in time.
    await sleep(Math.min(1000, end - Date.now()));
  }
}

export async function retryThroughOutage<T>(
  what: string,
  call: () => Promise<T>,
  o: OutageRetryOptions = {}
): Promise<T> {
  const started = Date.now();
  let delay = o.initialDelayMs ?? 250;
  for (let tries = 1; ; tries++) {
    try {
      return await call();
    } catch (err) {
      const waited = Date.now() - started;
      if (!isTransientStoreError(err) || waited + delay > (o.maxWaitMs ?? 600_000)) throw err;
      await pauseWithHeartbeats(delay, { waitingFor: what, tries, waitedMs: waited, error: String(err) });
      delay = Math.min(delay * 2, o.maxDelayMs ?? 5000);
    }
  }
}

/** `store` with every call retried through outages (see the file comment). */
export function outageTolerant(store: BlobStore, o: OutageRetryOptions = {}): BlobStore {
  const wrap =
    <A extends unknown[], R>(name: string, f: (...a: A) => Promise<R>) =>
    (...a: A) =>
      retryThroughOutage(`${name} ${store.uri}`, () => f.apply(store, a), o);
  return {
    uri: store.uri,
    uriOf: (key) => store.uriOf(key),
    put: wrap('put', store.put),
    putFile: wrap('putFile', store.putFile),
    get: wrap('get', store.get),
    getStream: wrap('getStream', store.getStream),
    getToFile: wrap('getToFile', store.getToFile),
    head: wrap('head', store.head),
    list: wrap('list', store.list),
    delete: wrap('delete', store.delete),
  };
}
