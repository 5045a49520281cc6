/**
 * A step's score scheduled ahead: the stage workflow schedules `score` together with the rollout instead of after it.
 * It then waits in its worker for the rollout to finish — its done-marker appearing in the blob store — and reads
 * the rollouts' key from that marker. The step's critical path then no longer pays a workflow round trip (activity
 * completed → workflow task → next activity scheduled → picked up) between rollout and score, only a poll of the
 * blob store (bench/orchestration.ts). A sharded rollout's shards are merged here first (rollout-shards.ts). Called
 * without `after`, it is the plain activity.
 */
import { runKeys } from '../storage/run-layout.ts';
import { mergeRolloutShards } from './rollout-shards.ts';
import { score } from './scoring.ts';
import type { RolloutOutput, ScoreInput, ScoreOutput } from './types.ts';
import { waitForKey } from './wait-for-key.ts';

/** `score`, scheduled with the rollout: waits for the rollout's output (merges its `shards` when more than one). */
export interface ScoreAfterRollout extends Omit<ScoreInput, 'rolloutsKey'> {
  after: 'rollout';
  shards?: number;
}

export async function scoreStep(input: ScoreInput | ScoreAfterRollout): Promise<ScoreOutput> {
  if (!('after' in input)) return score(input);
  const { after: _, shards = 1, ...rest } = input;
  const { run, step, draw = 0 } = input;
  if (shards > 1) {
    const rollout = await mergeRolloutShards(run, step, shards, draw);
    return { ...(await score({ ...rest, rolloutsKey: rollout.rolloutsKey })), rollout };
  }
  const rolled = await waitForKey<RolloutOutput>(run, runKeys.phaseDone(step, 'rollout', draw), {
    waitingFor: draw ? `rollout of draw ${draw}` : 'rollout',
    step,
  });
  return score({ ...rest, rolloutsKey: rolled.rolloutsKey });
}
