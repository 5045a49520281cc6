/**
 * GPU activities: the base policy, rollouts and the GRPO update (held-out evaluation: evaluate.ts). Thin adapters over engine/,
 * rl/ and rewards/: read references from the blob store, call the libraries, write records, return summaries.
 */
import { Context, heartbeat } from '@temporalio/activity';
import { initBackend } from '../engine/backend.ts';
import type { Policy } from '../engine/policy.ts';
import { firstPromptOfDraw } from '../rl/dynamic-sampling.ts';
import { type StepSampleFacts, stepMetricsByTask } from '../rl/step-metrics.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import type { RewardRecord } from '../schemas/records/reward-record.ts';
import type { RolloutRecord } from '../schemas/records/rollout-record.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import { runKeys } from '../storage/run-layout.ts';
import { logStep } from './log.ts';
import { basePolicy, dropPolicy, policyFor, referencePolicy, snapshotPolicy, templateOf } from './policy-store.ts';
import { rolloutTotals, shardRange } from './rollout-shards.ts';
import { once, type RunContext, readJson, readJsonl, runContext, writeJson, writeJsonl } from './run-context.ts';
import { trackStep } from './tracking.ts';
import type { PolicyRef, RolloutInput, RolloutOutput, RunRef, StepDraw, UpdateInput, UpdateOutput } from './types.ts';
import { grpoTrainOptions, grpoTrainSamples, scoredAdvantages, trainedRollouts } from './update-batch.ts';
import { ownGpuQueue } from './worker-queue.ts';

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

/** Prompt token ids of a row for this policy: identical at rollout and update, so they are never stored. */
export function promptIds(policy: Policy, row: DatasetRow, ctx: RunContext): number[] {
  return policy.encodePrompt(policy.promptText({ prompt: row.prompt, context: row.context }, templateOf(ctx.config)));
}

export async function rollout(input: RolloutInput): Promise<RolloutOutput> {
  await ready();
  const ctx = await runContext(input.run);
  const workerQueue = ownGpuQueue();
  const { step, shard, draw = 0 } = input;
  const recordsKey = shard ? runKeys.rolloutShard(step, shard.index, shard.count, draw) : runKeys.rollouts(step, draw);
  const doneKey = shard
    ? runKeys.rolloutShardDone(step, shard.index, shard.count, draw)
    : runKeys.phaseDone(step, 'rollout', draw);
  const out = await once(ctx.store, doneKey, async () => {
    const started = Date.now();
    const rows = await readJsonl<DatasetRow>(ctx.store, input.promptsKey);
    const policy = await policyFor(ctx, input.policy);
    const records = await sampleRollouts(ctx, policy, rows, shardRange(rows.length, shard), input);
    await writeJsonl(ctx.store, recordsKey, records);
    return { rolloutsKey: recordsKey, ...rolloutTotals(records), ms: Date.now() - started, workerQueue };
  });
  return { ...out, workerQueue };
}

/**
 * The G responses of the prompts `range` of the step's batch. Each prompt keeps its index in the whole batch (its
 * seed, its group id) and is padded to the whole batch's longest prompt, so a shard samples exactly what the unsharded
 * rollout samples for those prompts. An extra draw's prompts are numbered on from the draws before it.
 */
async function sampleRollouts(
  ctx: RunContext,
  policy: Policy,
  rows: DatasetRow[],
  range: { from: number; to: number },
  input: RolloutInput
): Promise<RolloutRecord[]> {
  const template = templateOf(ctx.config);
  const r = ctx.config.rollout;
  const prompts = rows.map((row) => promptIds(policy, row, ctx));
  const first = firstPromptOfDraw(input.draw ?? 0, r.promptsPerStep);
  const rollouts = await policy.sample(prompts.slice(range.from, range.to), {
    samplesPerPrompt: input.samplesPerPrompt ?? r.groupSize,
    maxNewTokens: input.window,
    step: input.step,
    promptIndexOffset: first + range.from,
    padToLength: Math.max(...prompts.map((p) => p.length)),
    temperature: r.temperature,
    topP: r.topP,
    topK: r.topK,
    repetitionPenalty: r.repetitionPenalty,
    template,
    onStep: tokenBeats({
      step: input.step,
      ...(input.shard ? { shard: input.shard.index } : {}),
      ...(input.draw ? { draw: input.draw } : {}),
    }),
  });
  const prefix = template.prefillThink ? `<${template.thinkTag}>` : '';
  return rollouts.map((ro) => {
    const row = rows[ro.promptIndex - first];
    const groupId = `${input.step}/${ro.promptIndex}`;
    return {
      id: `${groupId}/${ro.sampleIndex}`,
      groupId,
      step: input.step,
      task: row.task,
      kind: row.kind,
      rowId: row.id,
      promptIndex: ro.promptIndex,
      sampleIndex: ro.sampleIndex,
      response: prefix + ro.text,
      tokens: ro.tokens,
      oldLogProbs: ro.logprobs,
      truncated: ro.truncated,
      window: input.window,
    };
  });
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

/** What the step metrics need of each response drawn (rl/step-metrics.ts). */
function sampleFacts(
  ctx: RunContext,
  rollouts: readonly RolloutRecord[],
  rewardOf: ReadonlyMap<string, RewardRecord>
): StepSampleFacts[] {
  return rollouts.map((r) => {
    const rw = rewardOf.get(r.id);
    const acc = rw?.components.accuracy ?? null;
    return {
      task: r.task,
      total: rw?.total ?? null,
      components: { ...(rw?.components ?? {}) },
      correct: acc === null || r.kind === 'writing' ? null : acc >= ctx.config.rewards.verifiable.correct,
      thinkTokens: rw?.facts?.thinkTokens ?? 0,
      answerTokens: rw?.facts?.answerTokens ?? 0,
      thinkChars: rw?.facts?.thinkChars ?? 0,
      answerChars: rw?.facts?.answerChars ?? 0,
      responseTokens: r.tokens.length,
      truncated: r.truncated,
    };
  });
}

export async function update(input: UpdateInput): Promise<UpdateOutput> {
  await ready();
  const ctx = await runContext(input.run);
  const workerQueue = ownGpuQueue();
  const out = await once(ctx.store, runKeys.phaseDone(input.step, 'update'), async () => {
    const started = Date.now();
    const { rows, rollouts, rewards } = await readStepRecords(ctx, input);
    const rewardOf = new Map(rewards.map((r) => [r.id, r]));
    const policy = await policyFor(ctx, input.policy);
    const trained = trainedRollouts(rollouts, rewards, ctx.config, 1 + (input.draws?.length ?? 0));
    const { samples, advantages: adv } = grpoTrainSamples(
      trained.rollouts,
      rewards,
      (i) => promptIds(policy, rows[i], ctx),
      ctx.config,
      input.stage
    );
    // The step's metrics describe every response drawn; what dynamic sampling kept is in `dynamicSampling`.
    const drawn = trained.counts ? scoredAdvantages(rollouts, rewards, ctx.config).advantages : adv;
    const reference = samples.some((x) => (x.klCoef ?? 0) > 0) ? (await referencePolicy(ctx)).params : undefined;
    let metrics: Awaited<ReturnType<Policy['train']>> | null = null;
    try {
      if (samples.length > 0) {
        metrics = await policy.train(samples, {
          ...grpoTrainOptions(ctx.config),
          ...(reference ? { reference } : {}),
          learningRate: input.learningRate,
          onProgress: (p) => heartbeat({ phase: 'update', ...p }),
        });
      } else {
        policy.step += 1; // every sample undefined: the step happens, the weights do not move
      }
    } catch (err) {
      dropPolicy(ctx); // half-updated weights must never be reused
      throw err;
    }
    heartbeat({ phase: 'snapshot' });
    const ref = await snapshotPolicy(ctx, policy, input.stage, { cursor: input.cursor });
    const facts = sampleFacts(ctx, rollouts, rewardOf);
    const byTask = stepMetricsByTask(facts, drawn.perTask);
    const updateMs = Date.now() - started;
    const stepMetrics: StepMetrics = {
      step: input.step,
      stage: input.stage,
      window: input.window,
      learningRate: input.learningRate,
      loss: metrics?.loss ?? 0,
      clipFraction: metrics?.clipFrac ?? 0,
      klApprox: metrics?.approxKl ?? 0,
      ...(metrics?.refKl !== undefined ? { refKl: metrics.refKl } : {}),
      entropy: metrics?.entropy ?? 0,
      ...(metrics ? { gradNorm: metrics.gradNorm } : {}),
      rewardMean: byTask.rewardMean,
      zeroVarianceGroupFraction: drawn.zeroVarianceFraction,
      truncatedFraction: byTask.truncatedFraction,
      perTask: byTask.perTask,
      ...(trained.counts ? { dynamicSampling: trained.counts } : {}),
      timings: { rolloutMs: input.timings.rolloutMs, scoringMs: input.timings.scoringMs, updateMs },
    };
    await writeJson(ctx.store, runKeys.metrics(input.step), stepMetrics);
    const trackingFailures = await trackStep(ctx, stepMetrics);
    const recorded = trackingFailures === null ? stepMetrics : { ...stepMetrics, trackingFailures };
    if (trackingFailures !== null) await writeJson(ctx.store, runKeys.metrics(input.step), recorded);
    logStep(input.run, recorded);
    return {
      policy: ref,
      summary: {
        step: input.step,
        rewardMean: byTask.rewardMean,
        perTask: Object.fromEntries(Object.entries(byTask.perTask).map(([t, m]) => [t, m.rewardMean])),
        loss: stepMetrics.loss,
        window: input.window,
        ms: input.timings.rolloutMs + input.timings.scoringMs + updateMs,
        ...(trackingFailures === null ? {} : { trackingFailures }),
      },
      workerQueue,
    };
  });
  return { ...out, workerQueue };
}
