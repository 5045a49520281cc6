/**
 * Requests-per-minute pacing for judge servers with a rate limit (hosted APIs): request starts are spaced by
 * 60,000 / rpm ms, so a burst of G·batch judgements becomes a steady stream instead of a wall of 429s. The lesson of
 * verl's RateLimitedRewardManager (rl-anchors §3.6): concurrency alone does not bound the request rate.
 */
import { abortableSleep } from './sleep.ts';

export class RequestPacer {
  readonly #intervalMs: number;
  #nextAt = 0;

  /** `requestsPerMinute` ≤ 0 or undefined: no pacing. */
  constructor(requestsPerMinute: number | undefined) {
    this.#intervalMs = requestsPerMinute && requestsPerMinute > 0 ? 60_000 / requestsPerMinute : 0;
  }

  /** Resolves when the caller may start its request (false if `signal` aborted first). */
  async wait(signal?: AbortSignal): Promise<boolean> {
    if (this.#intervalMs === 0) return true;
    const now = performance.now();
    const at = Math.max(now, this.#nextAt);
    this.#nextAt = at + this.#intervalMs;
    const delay = at - now;
    if (delay <= 0) return true;
    return abortableSleep(delay, signal);
  }
}
