/**
 * Fan-out of a step's rollout and of held-out evaluation over the GPU workers (`orchestration.rollout.shards`,
 * docs/orchestration.md "Rollout fan-out"): how many shards, and evaluation in shards.
 */
import type { EvaluateInput, EvaluateOutput } from '../activities/types.ts';
import type { OrchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';

/** The configured count, `auto` = the GPU workers polling now; at most `most` (never a shard with nothing to do). */
export async function shardCount(o: OrchestrationSettings, most: number): Promise<number> {
  const want = o.rolloutShards ?? 1;
  if (want === 1) return 1;
  const n = want === 'auto' ? await activity(o, o.taskQueues.io, 'gpuWorkers')({ taskQueue: o.taskQueues.gpu }) : want;
  return Math.max(1, Math.min(n, most));
}

/** Held-out evaluation: one `evaluate` on any GPU worker, or one per shard and their merge on a CPU worker. */
export async function evaluatePolicy(o: OrchestrationSettings, input: EvaluateInput): Promise<EvaluateOutput> {
  const evaluate = activity(o, o.taskQueues.gpu, 'evaluate');
  // Held-out sizes are the data's, unknown here: a shard past a task's last row evaluates none of it.
  const count = await shardCount(o, Number.POSITIVE_INFINITY);
  if (count === 1) return evaluate(input);
  await Promise.all(Array.from({ length: count }, (_, index) => evaluate({ ...input, shard: { index, count } })));
  return activity(o, o.taskQueues.cpu, 'mergeEvaluation')({ ...input, count });
}
