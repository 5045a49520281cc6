/** Retry delays for judge calls: exponential backoff with jitter, or the server's own Retry-After when it sends one. */

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 500 ms. */
  baseMs: number;
  /** Cap on the exponential delay, before jitter. Default 8,000 ms. */
  maxMs: number;
}

/**
 * "Equal jitter": half the exponential delay fixed, half uniform, so retries of many concurrent calls that failed
 * together (a 429 burst) spread out instead of returning in lock-step, while each still waits at least d/2.
 * `attempt` is 0 for the first retry.
 */
export function backoffDelayMs(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const d = Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
  return d / 2 + random() * (d / 2);
}

/**
 * Milliseconds the server asked us to wait: `retry-after-ms` (OpenAI's extension) first, then `Retry-After` as
 * delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  if (/^\s*\d+(?:\.\d+)?\s*$/.test(ra)) return Number(ra) * 1000;
  const at = Date.parse(ra);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
