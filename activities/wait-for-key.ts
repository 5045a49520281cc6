/** Waiting in an activity for an object another activity writes to the run's blob store (activities/dataflow.ts). */
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { readJson, runContext } from './run-context.ts';
import type { RunRef } from './types.ts';

/**
 * The JSON object at `key` once it exists. Polls at about 1 % of the time waited so far (5 ms to 250 ms), so the wait
 * adds at most ~1 % to the phase it waits for however long that runs, at a few requests a second; heartbeats `what`
 * while it waits and ends at once when the activity is cancelled (the workflow cancels it when the phase it waits for
 * fails).
 */
export async function waitForKey<T>(run: RunRef, key: string, what: Record<string, unknown>): Promise<T> {
  const ctx = await runContext(run);
  const started = Date.now();
  const activity = activityContext();
  for (;;) {
    const done = await readJson<T>(ctx.store, key);
    if (done !== null) return done;
    const waited = Date.now() - started;
    activity?.heartbeat({ ...what, waitedMs: waited });
    const pause = Math.min(250, Math.max(5, waited / 100));
    if (activity) await activity.sleep(pause);
    else await sleep(pause);
  }
}

function activityContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}
