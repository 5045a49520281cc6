/**
 * One RL step (DESIGN "One RL step, as data"): rollout (gpu) → score (cpu) → update (gpu), with the next step's batch
 * sampled during the update: it needs only the data cursor, so its round trip leaves the critical path.
 *
 * The score is scheduled together with the rollout and waits in its worker for the rollout's output
 * (activities/dataflow.ts), so no workflow round trip sits between them; a rollout that fails cancels it. The update
 * is scheduled only after the score: the worker holding the policy takes one activity at a time, and a task queued
 * behind a busy worker can wait out its schedule-to-start timeout.
 */
import { msToNumber } from '@temporalio/common/lib/time.js';
import { CancellationScope } from '@temporalio/workflow';
import type {
  PolicyRef,
  RolloutOutput,
  RunRef,
  SampleBatchOutput,
  ScoreOutput,
  UpdateOutput,
} from '../activities/types.ts';
import type { OrchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';
import type { GpuRoute } from './gpu-route.ts';
import { shardCount } from './shards.ts';

export interface StepInput {
  run: RunRef;
  /** Global step. */
  step: number;
  stage: { index: number; name: string };
  /** The policy the step samples from and updates. */
  policy: PolicyRef;
  /** This step's prompts; `batch.cursor` is the data cursor after them. */
  batch: SampleBatchOutput;
  /** Response window in force, tokens. */
  window: number;
  learningRate: number;
  /** Asked once the score is in: whether the stage runs a next step, whose batch is then sampled. */
  hasNextStep: () => boolean;
}

/** What a rollout and its score need: the fields of a step that name its batch and policy. */
export type RolloutRequest = Pick<StepInput, 'run' | 'step' | 'policy' | 'batch' | 'window'> & {
  /** Responses per prompt; default the config's `rollout.groupSize`. */
  samplesPerPrompt?: number;
};

export interface StepOutput {
  updated: UpdateOutput;
  /** The next step's batch; null when the stage had no next step. */
  nextBatch: SampleBatchOutput | null;
}

export async function runStep(o: OrchestrationSettings, gpu: GpuRoute, input: StepInput): Promise<StepOutput> {
  const { run, step, policy, batch, window } = input;
  const { rollout, scored } = await rolloutAndScore(o, gpu, input);
  const updating = gpu.update({
    run,
    step,
    stage: input.stage.name,
    policy,
    promptsKey: batch.promptsKey,
    rolloutsKey: rollout.rolloutsKey,
    rewardsKey: scored.rewardsKey,
    window,
    learningRate: input.learningRate,
    cursor: batch.cursor,
    timings: { rolloutMs: rollout.ms, scoringMs: scored.ms },
  });
  // A batch sampled for a step the stage then never runs (a stop, a budget cut) is harmless: it is keyed by stage.
  const sampleBatch = activity(o, o.taskQueues.cpu, 'sampleBatch');
  const next = { run, step: step + 1, stageIndex: input.stage.index, cursor: batch.cursor };
  const [updated, nextBatch] = await Promise.all([updating, input.hasNextStep() ? sampleBatch(next) : null]);
  gpu.heldBy(updated.workerQueue);
  return { updated, nextBatch };
}

/** The rollout, whole or in shards (`orchestration.rollout.shards`), with its score scheduled alongside. */
export async function rolloutAndScore(
  o: OrchestrationSettings,
  gpu: GpuRoute,
  input: RolloutRequest
): Promise<{ rollout: RolloutOutput; scored: ScoreOutput }> {
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

/** The rollout on the worker holding the policy; a rollout that fails cancels the score waiting for it. */
async function wholeRolloutAndScore(
  o: OrchestrationSettings,
  gpu: GpuRoute,
  { run, step, policy, batch, window, samplesPerPrompt }: RolloutRequest
): Promise<{ rollout: RolloutOutput; scored: ScoreOutput }> {
  const k = samplesPerPrompt === undefined ? {} : { samplesPerPrompt };
  const rolloutDone = gpu.rollout({ run, step, policy, promptsKey: batch.promptsKey, window, ...k });
  const { scoreDone, cancelScore } = scoreAlongside(() =>
    scoreAfterRollout(o)({ run, step, promptsKey: batch.promptsKey, after: 'rollout' })
  );
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
async function shardedRolloutAndScore(
  o: OrchestrationSettings,
  { run, step, policy, batch, window, samplesPerPrompt }: RolloutRequest,
  count: number
): Promise<{ rollout: RolloutOutput; scored: ScoreOutput }> {
  const rolloutShard = activity(o, o.taskQueues.gpu, 'rollout');
  const k = samplesPerPrompt === undefined ? {} : { samplesPerPrompt };
  const shardsDone = Promise.all(
    Array.from({ length: count }, (_, index) =>
      rolloutShard({ run, step, policy, promptsKey: batch.promptsKey, window, shard: { index, count }, ...k })
    )
  );
  const { scoreDone, cancelScore } = scoreAlongside(() =>
    scoreAfterRollout(o)({ run, step, promptsKey: batch.promptsKey, after: 'rollout', shards: count })
  );
  try {
    await shardsDone;
  } catch (err) {
    cancelScore();
    throw err;
  }
  const scored = await scoreDone;
  if (!scored.rollout)
    throw new Error(`step ${step}: the score of a ${count}-shard rollout returned no merged rollout`);
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
