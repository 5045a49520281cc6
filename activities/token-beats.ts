/** The heartbeat of a token loop (rollout, evaluation): throttled, since the sampler reports every token step. */
import { Context, heartbeat } from '@temporalio/activity';

/** How often a token loop heartbeats: a quarter of the heartbeat timeout, at most 1 s (the SDK throttles sends). */
function beatEveryMs(): number {
  return Math.min(1000, (Context.current().info.heartbeatTimeoutMs ?? 4000) / 4);
}

/** A sampler `onStep` that heartbeats `details` and the tokens so far, at most every {@link beatEveryMs}. */
export function tokenBeats(details: Record<string, unknown>): (tokens: number) => void {
  let lastBeat = 0;
  return (tokens) => {
    if (Date.now() - lastBeat > beatEveryMs()) {
      lastBeat = Date.now();
      heartbeat({ ...details, tokens });
    }
  };
}
