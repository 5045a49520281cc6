/**
 * An activity's turn to train a run's policy in this worker (training/run-lock.ts): a retried update or fine-tune
 * chunk waits here while an earlier attempt of it still runs, heartbeating so its own heartbeat timeout does not
 * start yet another attempt, and giving up if it is cancelled meanwhile.
 */
import { Context } from '@temporalio/activity';
import { withRunLock } from '../training/run-lock.ts';
import { beatEvery } from './keep-alive.ts';
import type { RunContext } from './run-context.ts';

export async function trainingTurn<T>(
  ctx: RunContext,
  detail: Record<string, unknown>,
  work: () => Promise<T>
): Promise<T> {
  const activity = Context.current();
  const waiting = setInterval(
    () => activity.heartbeat({ ...detail, waitingFor: 'another attempt' }),
    beatEvery(activity)
  );
  try {
    return await withRunLock(
      ctx.run.base,
      () => {
        clearInterval(waiting);
        return work();
      },
      activity.cancellationSignal
    );
  } finally {
    clearInterval(waiting);
  }
}
