/**
 * A step's rollout in shards (`orchestration.rollout.shards`): shard i of n takes a contiguous range of the batch's
 * prompts (whole prompt groups), samples them on whichever GPU worker picks it up and writes its own records; the
 * score, waiting on a CPU worker, merges the shards in prompt order into the step's one rollouts record and writes the
 * rollout's done-marker, so the score and the update read the step exactly as an unsharded rollout leaves it.
 */
import type { RolloutRecord } from '../schemas/records/rollout-record.ts';
import { runKeys } from '../storage/run-layout.ts';
import { once, readJsonl, runContext, writeJsonl } from './run-context.ts';
import type { RolloutOutput, RolloutShard, RunRef } from './types.ts';
import { waitForKey } from './wait-for-key.ts';

/** The prompts of `shard` among `prompts`: contiguous, sizes differing by at most one; all of them when unsharded. */
export function shardRange(prompts: number, shard?: RolloutShard): { from: number; to: number } {
  if (!shard) return { from: 0, to: prompts };
  const { index, count } = shard;
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 0 && index < count))
    throw new Error(`rollout shard ${index} of ${count}: the index must be a whole number in [0, count)`);
  return { from: Math.floor((index * prompts) / count), to: Math.floor(((index + 1) * prompts) / count) };
}

/** The counts a rollout's summary reports. */
export function rolloutTotals(
  records: readonly RolloutRecord[]
): Pick<RolloutOutput, 'responses' | 'tokens' | 'truncated'> {
  return {
    responses: records.length,
    tokens: records.reduce((s, x) => s + x.tokens.length, 0),
    truncated: records.filter((x) => x.truncated).length,
  };
}

/**
 * Waits for every shard of the step's rollout, then writes the merged rollouts record and the rollout's done-marker
 * (once: a retried score finds it). The phase's time is the slowest shard's.
 */
export async function mergeRolloutShards(run: RunRef, step: number, count: number, draw = 0): Promise<RolloutOutput> {
  const ctx = await runContext(run);
  return once(ctx.store, runKeys.phaseDone(step, 'rollout', draw), async () => {
    const shards: RolloutOutput[] = [];
    for (let i = 0; i < count; i++)
      shards.push(
        await waitForKey(run, runKeys.rolloutShardDone(step, i, count, draw), {
          waitingFor: `rollout shard ${i}${draw ? ` of draw ${draw}` : ''}`,
          step,
        })
      );
    const records = (await Promise.all(shards.map((s) => readJsonl<RolloutRecord>(ctx.store, s.rolloutsKey)))).flat();
    await writeJsonl(ctx.store, runKeys.rollouts(step, draw), records);
    return {
      rolloutsKey: runKeys.rollouts(step, draw),
      ...rolloutTotals(records),
      ms: Math.max(...shards.map((s) => s.ms)),
      workerQueue: shards[0].workerQueue,
      timings: shards.flatMap((s) => s.timings ?? []),
    };
  });
}
