/**
 * When each step of a run finished, as seen from outside: polls the run's `metrics/step-<n>.json` (written when a
 * step's update completes) and records the moment each first appears. Reads that fail (S3 is down) are retried at the
 * next poll, so a step finished during an outage is seen when the store is back.
 */
import type { BlobStore } from '../../storage/blob-store.ts';
import { runKeys } from '../../storage/run-layout.ts';

const POLL_MS = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface RunProgress {
  /** Step → when its metrics were first seen (ms since the epoch). */
  seen: Map<number, number>;
  /** The first step not seen yet. */
  next(): number;
  /** Resolves when `step`'s metrics are seen, or when the run has ended; true if seen. */
  until(step: number): Promise<boolean>;
  /** Stops polling after one last look (call when the run has ended). */
  end(): Promise<void>;
}

export function watchProgress(store: BlobStore): RunProgress {
  const seen = new Map<number, number>();
  let ended = false;
  let next = 0;
  const look = async () => {
    while (await store.head(runKeys.metrics(next)).catch(() => null)) seen.set(next++, Date.now());
  };
  const polling = (async () => {
    while (!ended) {
      await look();
      await sleep(POLL_MS);
    }
    await look();
  })();
  return {
    seen,
    next: () => next,
    async until(step) {
      while (!ended && !seen.has(step)) await sleep(POLL_MS / 2);
      await (ended ? polling : undefined);
      return seen.has(step);
    },
    async end() {
      ended = true;
      await polling;
    },
  };
}
