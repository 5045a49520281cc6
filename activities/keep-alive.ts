/**
 * Heartbeats on a timer while `work` runs, for activities whose work is I/O with no natural progress points
 * (checkpoint uploads, run set-up, scoring): the heartbeat is the worker's sign of life, so a dead worker is noticed
 * within the heartbeat timeout while a long upload on a live one is not killed by it. A hung call is still ended by
 * the activity's start-to-close timeout. (A timer cannot fire during synchronous compute: the GPU activities
 * heartbeat between their own chunks instead.)
 */
import { Context } from '@temporalio/activity';

export async function keepAlive<T>(detail: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  let ctx: Context | null = null;
  try {
    ctx = Context.current();
  } catch {
    return work(); // called outside an activity (tests, CLI): nothing to keep alive
  }
  const beat = setInterval(() => ctx.heartbeat(detail), beatEvery(ctx));
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}

/**
 * How often a timer heartbeats, ms: a third of the heartbeat timeout, so a short timeout (2 s) still sees beats; at
 * most every 5 s.
 */
export function beatEvery(ctx: Context): number {
  return Math.min(5_000, Math.max(200, (ctx.info.heartbeatTimeoutMs ?? 15_000) / 3));
}
