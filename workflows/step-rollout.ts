/**
 * A step's rollout with its score scheduled alongside (step.ts): whole on the worker holding the policy, or in shards
 * (`orchestration.rollout.shards`) on any GPU worker. One call per draw of the step: the step's own batch, and with
 * dynamic sampling each extra batch (step-draws.ts), which runs and is recorded exactly like the first.
 */
import { msToNumber } from '@temporalio/common/lib/time.js';
import { CancellationScope } from '@temporalio/workflow';
import type { PolicyRef, RolloutOutput, RunRef, SampleBatchOutput, ScoreOutput } from '../activities/types.ts';
import type { OrchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';
import type { GpuRoute } from './gpu-route.ts';
import { shardCount } from './shards.ts';

export interface DrawInput {
  run: RunRef;
  step: number;
  policy: PolicyRef;
  /** The draw's prompts. */
  batch: SampleBatchOutput;
  window: number;
  /** Dynamic sampling's extra draw (1, 2, …); 0 = the step's own batch, whose activity inputs carry no `draw`. */
  draw: number;
  /** Responses per prompt; default the config's `rollout.groupSize` (rejection sampling draws its own k). */
  samplesPerPrompt?: number;
}

export interface DrawResult {
  rollout: RolloutOutput;
  scored: ScoreOutput;
}

/** The rollout, whole or in shards, with its score scheduled alongside. */
export async function rolloutAndScore(o: OrchestrationSettings, gpu: GpuRoute, input: DrawInput): Promise<DrawResult> {
  const shards = await shardCount(
    o,
    Object.values(input.batch.tasks).reduce((a, b) => a + b, 0)
  );
  return shards === 1 ? wholeRolloutAndScore(o, gpu, input) : shardedRolloutAndScore(o, input, shards);
}

/** `score`, waiting for the rollout first, so its time limit covers both. */
function scoreAfterRollout(o: OrchestrationSettings) {
  return activity(o, o.taskQueues.cpu, 'score', () => ({
    startToCloseTimeout: msToNumber(o.activityTimeouts.score) + msToNumber(o.activityTimeouts.rollout),
  }));
}

/** What the rollout of a draw samples from: the policy, the window, and k when not the config's G. */
function rolloutOf({ policy, window, samplesPerPrompt }: DrawInput) {
  return { policy, window, ...(samplesPerPrompt === undefined ? {} : { samplesPerPrompt }) };
}

/** The activity inputs every phase of a draw shares. */
function drawKeys({ run, step, batch, draw }: DrawInput) {
  return { run, step, promptsKey: batch.promptsKey, ...(draw > 0 ? { draw } : {}) };
}

/** The rollout on the worker holding the policy; a rollout that fails cancels the score waiting for it. */
async function wholeRolloutAndScore(o: OrchestrationSettings, gpu: GpuRoute, input: DrawInput): Promise<DrawResult> {
  const keys = drawKeys(input);
  const rolloutDone = gpu.rollout({ ...keys, ...rolloutOf(input) });
  const { scoreDone, cancelScore } = scoreAlongside(() => scoreAfterRollout(o)({ ...keys, after: 'rollout' }));
  let rollout: RolloutOutput;
  try {
    rollout = await rolloutDone;
  } catch (err) {
    cancelScore();
    throw err;
  }
  gpu.heldBy(rollout.workerQueue);
  return { rollout, scored: await scoreDone };
}

/**
 * Each shard on whichever GPU worker takes it from the shared queue (each retried alone); the score merges them.
 * The update still goes to the worker that holds the policy: the rollout workers load it by reference.
 */
async function shardedRolloutAndScore(o: OrchestrationSettings, input: DrawInput, count: number): Promise<DrawResult> {
  const keys = drawKeys(input);
  const rolloutShard = activity(o, o.taskQueues.gpu, 'rollout');
  const shardsDone = Promise.all(
    Array.from({ length: count }, (_, index) => rolloutShard({ ...keys, ...rolloutOf(input), shard: { index, count } }))
  );
  const { scoreDone, cancelScore } = scoreAlongside(() =>
    scoreAfterRollout(o)({ ...keys, after: 'rollout', shards: count })
  );
  try {
    await shardsDone;
  } catch (err) {
    cancelScore();
    throw err;
  }
  const scored = await scoreDone;
  if (!scored.rollout)
    throw new Error(`step ${input.step}: the score of a ${count}-shard rollout returned no merged rollout`);
  return { rollout: scored.rollout, scored };
}

/** Starts the score in its own cancellation scope; a failure before it is awaited must not count as unhandled. */
function scoreAlongside(start: () => Promise<ScoreOutput>): {
  scoreDone: Promise<ScoreOutput>;
  cancelScore: () => void;
} {
  const scope = new CancellationScope();
  const scoreDone = scope.run(start);
  scoreDone.catch(() => undefined);
  return { scoreDone, cancelScore: () => scope.cancel() };
}
