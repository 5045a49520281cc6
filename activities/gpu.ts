/**
 * GPU activities: the base policy, rollouts, the GRPO update and held-out evaluation. Thin adapters over engine/,
 * rl/ and rewards/: read references from the blob store, call the libraries, write records, return summaries.
 */
import { Context, heartbeat } from '@temporalio/activity';
import { initBackend } from '../engine/backend.ts';
import type { Policy } from '../engine/policy.ts';
import { evalScore, type StepSampleFacts, stepMetricsByTask } from '../rl/step-metrics.ts';
import { maxWindow } from '../schemas/experiment/window.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import type { RewardRecord } from '../schemas/records/reward-record.ts';
import type { RolloutRecord } from '../schemas/records/rollout-record.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import { runKeys } from '../storage/run-layout.ts';
import { heldOutRows } from './datasets.ts';
import { logStep } from './log.ts';
import { basePolicy, dropPolicy, policyFor, referencePolicy, snapshotPolicy, templateOf } from './policy-store.ts';
import { once, readJson, readJsonl, runContext, writeJson, writeJsonl } from './run-context.ts';
import { scoreSamples, toScorerSample } from './scoring.ts';
import { trackEvaluation, trackStep } from './tracking.ts';
import type {
  EvaluateInput,
  EvaluateOutput,
  PolicyRef,
  RolloutInput,
  RolloutOutput,
  RunRef,
  UpdateInput,
  UpdateOutput,
} from './types.ts';
import { grpoTrainOptions, grpoTrainSamples } from './update-batch.ts';
import { ownGpuQueue } from './worker-queue.ts';

/** How often a token loop heartbeats: a quarter of the heartbeat timeout, at most 1 s (the SDK throttles sends). */
function beatEveryMs(): number {
  return Math.min(1000, (Context.current().info.heartbeatTimeoutMs ?? 4000) / 4);
}

async function ready(): Promise<void> {
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
function promptIds(policy: Policy, row: DatasetRow, ctx: Awaited<ReturnType<typeof runContext>>): number[] {
  return policy.encodePrompt(policy.promptText({ prompt: row.prompt, context: row.context }, templateOf(ctx.config)));
}

export async function rollout(input: RolloutInput): Promise<RolloutOutput> {
  await ready();
  const ctx = await runContext(input.run);
  const workerQueue = ownGpuQueue();
  const out = await once(ctx.store, runKeys.phaseDone(input.step, 'rollout'), async () => {
    const started = Date.now();
    const rows = await readJsonl<DatasetRow>(ctx.store, input.promptsKey);
    const policy = await policyFor(ctx, input.policy);
    const template = templateOf(ctx.config);
    const r = ctx.config.rollout;
    let lastBeat = 0;
    const rollouts = await policy.sample(
      rows.map((row) => promptIds(policy, row, ctx)),
      {
        samplesPerPrompt: r.groupSize,
        maxNewTokens: input.window,
        step: input.step,
        temperature: r.temperature,
        topP: r.topP,
        topK: r.topK,
        repetitionPenalty: r.repetitionPenalty,
        template,
        onStep: (n) => {
          if (Date.now() - lastBeat > beatEveryMs()) {
            lastBeat = Date.now();
            heartbeat({ tokens: n });
          }
        },
      }
    );
    const prefix = template.prefillThink ? `<${template.thinkTag}>` : '';
    const records: RolloutRecord[] = rollouts.map((ro) => {
      const row = rows[ro.promptIndex];
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
    await writeJsonl(ctx.store, runKeys.rollouts(input.step), records);
    return {
      rolloutsKey: runKeys.rollouts(input.step),
      responses: records.length,
      tokens: records.reduce((s, x) => s + x.tokens.length, 0),
      truncated: records.filter((x) => x.truncated).length,
      ms: Date.now() - started,
      workerQueue,
    };
  });
  return { ...out, workerQueue };
}

export async function update(input: UpdateInput): Promise<UpdateOutput> {
  await ready();
  const ctx = await runContext(input.run);
  const workerQueue = ownGpuQueue();
  const out = await once(ctx.store, runKeys.phaseDone(input.step, 'update'), async () => {
    const started = Date.now();
    const [rows, rollouts, rewards] = await Promise.all([
      readJsonl<DatasetRow>(ctx.store, input.promptsKey),
      readJsonl<RolloutRecord>(ctx.store, input.rolloutsKey),
      readJsonl<RewardRecord>(ctx.store, input.rewardsKey),
    ]);
    const rewardOf = new Map(rewards.map((r) => [r.id, r]));
    const policy = await policyFor(ctx, input.policy);
    const { samples, advantages: adv } = grpoTrainSamples(
      rollouts,
      rewards,
      (i) => promptIds(policy, rows[i], ctx),
      ctx.config,
      input.stage
    );
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
    const facts: StepSampleFacts[] = rollouts.map((r) => {
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
    const byTask = stepMetricsByTask(facts, adv.perTask);
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
      zeroVarianceGroupFraction: adv.zeroVarianceFraction,
      truncatedFraction: byTask.truncatedFraction,
      perTask: byTask.perTask,
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
      },
      workerQueue,
    };
  });
  return { ...out, workerQueue };
}

export async function evaluate(input: EvaluateInput): Promise<EvaluateOutput> {
  await ready();
  const ctx = await runContext(input.run);
  const key = runKeys.evaluation(input.step);
  const done = await readJson<EvalRecord>(ctx.store, key);
  if (done && done.reason === input.reason) return { scores: done.scores, ms: done.evaluationMs };
  const started = Date.now();
  const policy = await policyFor(ctx, input.policy);
  const ev = ctx.config.evaluation;
  const template = templateOf(ctx.config);
  // GZ evaluates at the largest training window (schemas/experiment/evaluation.ts).
  const maxTokens = ev.maxTokens ?? maxWindow(ctx.config.window);
  const scores: Record<string, number | null> = {};
  const samples: Record<string, number> = {};
  const thinkTokensMean: Record<string, number> = {};
  const answerTokensMean: Record<string, number> = {};
  let lastBeat = 0;
  for (const task of Object.keys(ctx.config.tasks).sort()) {
    // The first heldOutSize rows of the held-out set (itself a seeded sample of the source: data/prepare.ts).
    const rows = (await heldOutRows(ctx, task)).slice(0, ev.perTask[task]?.heldOutSize ?? Number.POSITIVE_INFINITY);
    if (rows.length === 0) continue;
    const k = ev.perTask[task]?.avgK ?? ev.avgK;
    const rollouts = await policy.sample(
      rows.map((row) => promptIds(policy, row, ctx)),
      {
        samplesPerPrompt: k,
        maxNewTokens: maxTokens,
        // Evaluation draws never coincide with training draws: a step index training never reaches.
        step: 1_000_000_000 + input.step,
        temperature: ev.temperature,
        topP: ev.topP,
        topK: ev.topK,
        repetitionPenalty: ev.repetitionPenalty,
        template,
        // Per token step, not only per task: one task's sampling can outlast a short heartbeat timeout.
        onStep: (n) => {
          if (Date.now() - lastBeat > beatEveryMs()) {
            lastBeat = Date.now();
            heartbeat({ task, tokens: n });
          }
        },
      }
    );
    heartbeat({ task });
    const prefix = template.prefillThink ? `<${template.thinkTag}>` : '';
    const scored = await scoreSamples(
      ctx,
      rollouts.map((ro) =>
        toScorerSample(
          rows[ro.promptIndex],
          `eval/${ro.promptIndex}/${ro.sampleIndex}`,
          `eval/${ro.promptIndex}`,
          prefix + ro.text,
          ro.truncated
        )
      ),
      policy.tokenizer
    );
    const scale = scaleOf(ctx, task);
    const values = scored.records
      .map((r) => evalScore(r.components.accuracy, scale))
      .filter((v): v is number => v !== null);
    scores[task] = values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
    samples[task] = scored.records.length;
    thinkTokensMean[task] =
      scored.records.reduce((s, r) => s + r.facts.thinkTokens, 0) / Math.max(1, scored.records.length);
    answerTokensMean[task] =
      scored.records.reduce((s, r) => s + r.facts.answerTokens, 0) / Math.max(1, scored.records.length);
  }
  const record: EvalRecord = {
    step: input.step,
    stage: input.stage,
    reason: input.reason,
    scores,
    samples,
    thinkTokensMean,
    answerTokensMean,
    evaluationMs: Date.now() - started,
  };
  await writeJson(ctx.store, key, record);
  const trackingFailures = await trackEvaluation(ctx, record);
  Context.current().log.info('evaluated', {
    step: input.step,
    reason: input.reason,
    scores,
    ...(trackingFailures === null ? {} : { trackingFailures }),
  });
  return { scores, ms: record.evaluationMs };
}

function scaleOf(ctx: Awaited<ReturnType<typeof runContext>>, task: string): Parameters<typeof evalScore>[1] {
  const t = ctx.config.tasks[task];
  const v = ctx.config.rewards.verifiable;
  if (t.scorer === 'judge')
    return ctx.config.rewards.judge?.mode === 'pairwise' ? { kind: 'judge-pairwise' } : { kind: 'judge-scalar' };
  return { kind: t.scorer === 'constraints' ? 'constraints' : 'verifier', correct: v.correct, incorrect: v.incorrect };
}
