/**
 * A step's score scheduled ahead: the stage workflow schedules `score` together with the rollout instead of after it.
 * It then waits in its worker for the rollout to finish — its done-marker appearing in the blob store — and reads
 * the rollouts' key from that marker. The step's critical path then no longer pays a workflow round trip (activity
 * completed → workflow task → next activity scheduled → picked up) between rollout and score, only a poll of the
 * blob store (bench/orchestration.ts). Called without `after`, it is the plain activity.
 */
import { Context } from '@temporalio/activity';
import type { StepPhase } from '../storage/run-layout.ts';
import { runKeys } from '../storage/run-layout.ts';
import { readJson, runContext } from './run-context.ts';
import { score } from './scoring.ts';
import type { RolloutOutput, RunRef, ScoreInput, ScoreOutput } from './types.ts';

/** `score`, scheduled with the rollout: waits for the rollout's output. */
export interface ScoreAfterRollout extends Omit<ScoreInput, 'rolloutsKey'> {
  after: 'rollout';
}

/**
 * The done-marker of `phase` at `step` once it exists. Polls at about 1 % of the time waited so far (5 ms to 250 ms),
 * so the wait adds at most ~1 % to a phase however long it runs, at a few requests a second; heartbeats while it
 * waits and ends at once when the activity is cancelled (the workflow cancels it when the phase before fails).
 */
export async function waitForPhase<T>(run: RunRef, step: number, phase: StepPhase): Promise<T> {
  const ctx = await runContext(run);
  const key = runKeys.phaseDone(step, phase);
  const started = Date.now();
  const activity = activityContext();
  for (;;) {
    const done = await readJson<T>(ctx.store, key);
    if (done !== null) return done;
    const waited = Date.now() - started;
    activity?.heartbeat({ waitingFor: phase, step, waitedMs: waited });
    const pause = Math.min(250, Math.max(5, waited / 100));
    if (activity) await activity.sleep(pause);
    else await new Promise((r) => setTimeout(r, pause));
  }
}

function activityContext(): Context | null {
  try {
    return Context.current();
  } catch {
    return null;
  }
}

export async function scoreStep(input: ScoreInput | ScoreAfterRollout): Promise<ScoreOutput> {
  if (!('after' in input)) return score(input);
  const { after: _, ...rest } = input;
  const rolled = await waitForPhase<RolloutOutput>(input.run, input.step, 'rollout');
  return score({ ...rest, rolloutsKey: rolled.rolloutsKey });
}
