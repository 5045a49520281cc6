/**
 * GPU activities: the base policy, rollouts and the GRPO update (held-out evaluation: evaluate.ts). Thin adapters over
 * training/: read references from the blob store, call the library, write records, return summaries.
 */
import { Context, heartbeat } from '@temporalio/activity';
import { initBackend } from '../engine/backend.ts';
import { firstPromptOfDraw } from '../rl/dynamic-sampling.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import type { RewardRecord } from '../schemas/records/reward-record.ts';
import type { RolloutRecord } from '../schemas/records/rollout-record.ts';
import { runKeys } from '../storage/run-layout.ts';
import { grpoStep, stepMetricsOf } from '../training/grpo-step.ts';
import { basePolicy, fetchPolicy, referencePolicy, snapshotPolicy } from '../training/policy-store.ts';
import { rolloutRecords } from '../training/rollout.ts';
import { abandonIfAborted, trainAndSnapshot } from '../training/train-policy.ts';
import { logStep } from './log.ts';
import { rolloutTotals, shardRange } from './rollout-shards.ts';
import { lapClock, queuedSince, shardTimings } from './rollout-timings.ts';
import {
  once,
  type RunContext,
  readJson,
  readJsonl,
  recorded,
  runContext,
  writeJson,
  writeJsonl,
} from './run-context.ts';
import { tokenBeats } from './token-beats.ts';
import { trackStep } from './tracking.ts';
import { trainingTurn } from './training-turn.ts';
import type { PolicyRef, RolloutInput, RolloutOutput, RunRef, StepDraw, UpdateInput, UpdateOutput } from './types.ts';
import { ownGpuQueue } from './worker-queue.ts';

export async function ready(): Promise<void> {
  await initBackend();
}

export async function initPolicy({ run }: { run: RunRef }): Promise<PolicyRef> {
  await ready();
  const ctx = await runContext(run);
  const existing = await readJson<PolicyRef>(ctx.store, 'policy/base.json');
  if (existing) return existing;
  const policy = await basePolicy(ctx);
  const ref = await snapshotPolicy(ctx, policy, 'base');
  await writeJson(ctx.store, 'policy/base.json', ref);
  return ref;
}

export async function rollout(input: RolloutInput): Promise<RolloutOutput> {
  const queuedMs = queuedSince(Context.current().info.currentAttemptScheduledTimestampMs);
  await ready();
  const ctx = await runContext(input.run);
  const workerQueue = ownGpuQueue();
  const { step, shard, draw = 0 } = input;
  const recordsKey = shard ? runKeys.rolloutShard(step, shard.index, shard.count, draw) : runKeys.rollouts(step, draw);
  const doneKey = shard
    ? runKeys.rolloutShardDone(step, shard.index, shard.count, draw)
    : runKeys.phaseDone(step, 'rollout', draw);
  const out = await once(ctx.store, doneKey, async () => {
    const clock = lapClock();
    const rows = await readJsonl<DatasetRow>(ctx.store, input.promptsKey);
    const promptsMs = clock.lap();
    const { policy, fetch } = await fetchPolicy(ctx, input.policy, 'sampling');
    clock.lap();
    const records = await rolloutRecords(policy, rows, ctx.config, {
      step,
      window: input.window,
      range: shardRange(rows.length, shard),
      firstIndex: firstPromptOfDraw(draw, ctx.config.rollout.promptsPerStep),
      ...(input.samplesPerPrompt === undefined ? {} : { samplesPerPrompt: input.samplesPerPrompt }),
      onProgress: tokenBeats({ step, ...(shard ? { shard: shard.index } : {}), ...(draw ? { draw } : {}) }),
    });
    const samplingMs = clock.lap();
    await writeJsonl(ctx.store, recordsKey, records);
    const timings = shardTimings({ shard: shard?.index ?? 0, queuedMs, promptsMs, fetch, samplingMs }, clock.lap());
    return { rolloutsKey: recordsKey, ...rolloutTotals(records), ms: clock.total(), workerQueue, timings: [timings] };
  });
  return { ...out, workerQueue };
}

/** The prompts, rollouts and rewards of a step, its extra draws' after its own batch (prompt indices run on). */
async function readStepRecords(
  ctx: RunContext,
  input: UpdateInput
): Promise<{ rows: DatasetRow[]; rollouts: RolloutRecord[]; rewards: RewardRecord[] }> {
  const draws = [input, ...(input.draws ?? [])];
  const read = <T>(key: (d: StepDraw) => string) =>
    Promise.all(draws.map((d) => readJsonl<T>(ctx.store, key(d)))).then((parts) => parts.flat());
  const [rows, rollouts, rewards] = await Promise.all([
    read<DatasetRow>((d) => d.promptsKey),
    read<RolloutRecord>((d) => d.rolloutsKey),
    read<RewardRecord>((d) => d.rewardsKey),
  ]);
  return { rows, rollouts, rewards };
}

export async function update(input: UpdateInput): Promise<UpdateOutput> {
  await ready();
  const ctx = await runContext(input.run);
  const workerQueue = ownGpuQueue();
  const doneKey = runKeys.phaseDone(input.step, 'update');
  // The turn is taken before the done marker is read: an attempt that waited for an earlier one finds its result.
  const out = await trainingTurn(ctx, { phase: 'update', step: input.step }, () =>
    once(ctx.store, doneKey, () => updateStep(ctx, input, doneKey))
  );
  return { ...out, workerQueue };
}

async function updateStep(ctx: RunContext, input: UpdateInput, doneKey: string): Promise<UpdateOutput> {
  const { cancellationSignal: signal } = Context.current();
  const started = Date.now();
  const { rows, rollouts, rewards } = await readStepRecords(ctx, input);
  const updated = await trainAndSnapshot(
    ctx,
    input.policy,
    async (policy) => {
      const result = await grpoStep(policy, rows, rollouts, rewards, {
        config: ctx.config,
        stage: input.stage,
        learningRate: input.learningRate,
        draws: 1 + (input.draws?.length ?? 0),
        reference: async () => (await referencePolicy(ctx)).params,
        onProgress: (p) => {
          heartbeat({ phase: 'update', ...p });
          signal.throwIfAborted(); // an earlier heartbeat may have brought the attempt's cancellation
        },
      });
      heartbeat({ phase: 'snapshot' });
      return result;
    },
    {
      stage: input.stage,
      extra: { cursor: input.cursor },
      signal,
      settled: async () => (await ctx.store.head(doneKey)) !== null,
    }
  );
  if (updated === null) return recorded<UpdateOutput>(ctx, doneKey);
  const { policy: ref, trained: result } = updated;
  const updateMs = Date.now() - started;
  const stepMetrics = stepMetricsOf(ctx.config, rollouts, rewards, result, {
    step: input.step,
    stage: input.stage,
    window: input.window,
    learningRate: input.learningRate,
    timings: { ...input.timings, updateMs },
  });
  abandonIfAborted(ctx, signal);
  await writeJson(ctx.store, runKeys.metrics(input.step), stepMetrics);
  const trackingFailures = await trackStep(ctx, stepMetrics);
  const metrics = trackingFailures === null ? stepMetrics : { ...stepMetrics, trackingFailures };
  if (trackingFailures !== null) await writeJson(ctx.store, runKeys.metrics(input.step), metrics);
  logStep(input.run, metrics);
  return {
    policy: ref,
    summary: {
      step: input.step,
      rewardMean: stepMetrics.rewardMean,
      perTask: Object.fromEntries(Object.entries(stepMetrics.perTask).map(([t, m]) => [t, m.rewardMean])),
      loss: stepMetrics.loss,
      window: input.window,
      ms: input.timings.rolloutMs + input.timings.scoringMs + updateMs,
      ...(trackingFailures === null ? {} : { trackingFailures }),
    },
    workerQueue: ownGpuQueue(),
  };
}
