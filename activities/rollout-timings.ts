/**
 * Where a rollout shard's time goes (step metrics' `timings.rolloutShards`): dispatch, prompts, the policy (held, or
 * downloaded and built), sampling and the records' write. Measured where the work is, returned with the shard's
 * summary, merged in shard order, and recorded with the step.
 */
import type { RolloutShardTimings } from '../schemas/records/step-metrics.ts';
import type { PolicyFetch } from '../training/policy-store.ts';

/** A clock read in laps: each `lap()` is the ms since the previous lap (or the start); `total()` since the start. */
export function lapClock(now: () => number = () => performance.now()): { lap: () => number; total: () => number } {
  const start = now();
  let last = start;
  return {
    lap: () => {
      const t = now();
      const ms = t - last;
      last = t;
      return ms;
    },
    total: () => now() - start,
  };
}

/** ms from an activity attempt's scheduling to now; never negative (the server's and the worker's clocks may differ). */
export function queuedSince(scheduledMs: number, nowMs = Date.now()): number {
  return Math.max(0, nowMs - scheduledMs);
}

/** One shard's record, whole milliseconds. */
export function shardTimings(
  o: { shard: number; queuedMs: number; promptsMs: number; fetch: PolicyFetch; samplingMs: number },
  writeMs: number
): RolloutShardTimings {
  return {
    shard: o.shard,
    queuedMs: Math.round(o.queuedMs),
    promptsMs: Math.round(o.promptsMs),
    policy: o.fetch.held ? 'held' : 'downloaded',
    downloadMs: Math.round(o.fetch.downloadMs),
    buildMs: Math.round(o.fetch.buildMs),
    samplingMs: Math.round(o.samplingMs),
    writeMs: Math.round(writeMs),
  };
}
