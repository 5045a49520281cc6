/**
 * Held-out evaluation (GPU): each task's first `heldOutSize` held-out rows, `avgK` samples each, scored as in
 * training. With `orchestration.rollout.shards` > 1 the workflow runs one `evaluate` per shard (a contiguous range of
 * every task's rows, each keeping its index and the task's padding, as rollout shards do) and then
 * `mergeEvaluation`, which concatenates the shards' per-sample values in row order and takes the same means as one
 * unsharded evaluation: the record is the same whatever the shard count.
 */
import { Context, heartbeat } from '@temporalio/activity';
import { accuracyScaleOf, evalScore } from '../rl/step-metrics.ts';
import { maxWindow } from '../schemas/experiment/window.ts';
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import { joinKey } from '../storage/blob-store.ts';
import { runKeys } from '../storage/run-layout.ts';
import { heldOutRows } from './datasets.ts';
import { promptIds, ready, tokenBeats } from './gpu.ts';
import { policyFor, templateOf } from './policy-store.ts';
import { shardRange } from './rollout-shards.ts';
import { type RunContext, readJson, runContext, writeJson } from './run-context.ts';
import { scoreSamples, toScorerSample } from './scoring.ts';
import { trackEvaluation } from './tracking.ts';
import type { EvaluateInput, EvaluateOutput, RolloutShard } from './types.ts';

/** One task's evaluated samples in row order: what its means are taken over. */
interface TaskPart {
  /** Defined evaluation scores. */
  values: number[];
  thinkTokens: number[];
  answerTokens: number[];
}
/** What one shard of an evaluation leaves for the merge. */
interface EvalShard {
  reason: EvaluateInput['reason'];
  parts: Record<string, TaskPart>;
  ms: number;
}

const shardKey = (input: EvaluateInput, shard: RolloutShard) =>
  joinKey(runKeys.evaluationShards(input.step), `${input.reason}-${shard.index}-of-${shard.count}.json`);

export async function evaluate(input: EvaluateInput): Promise<EvaluateOutput> {
  await ready();
  const ctx = await runContext(input.run);
  const { shard } = input;
  const started = Date.now();
  if (shard) {
    const key = shardKey(input, shard);
    const done = await readJson<EvalShard>(ctx.store, key);
    if (done?.reason === input.reason) return { scores: evalRecordOf(input, done.parts, done.ms).scores, ms: done.ms };
    const parts = await evaluateParts(ctx, input, shard);
    await writeJson(ctx.store, key, { reason: input.reason, parts, ms: Date.now() - started } satisfies EvalShard);
    return { scores: evalRecordOf(input, parts, 0).scores, ms: Date.now() - started };
  }
  const done = await readJson<EvalRecord>(ctx.store, runKeys.evaluation(input.step));
  if (done && done.reason === input.reason) return { scores: done.scores, ms: done.evaluationMs };
  return writeEvalRecord(ctx, evalRecordOf(input, await evaluateParts(ctx, input), Date.now() - started));
}

/** The evaluation of `input` from its `count` shards (all completed): the shards' samples in row order. */
export async function mergeEvaluation(input: EvaluateInput & { count: number }): Promise<EvaluateOutput> {
  const ctx = await runContext(input.run);
  const shards: EvalShard[] = [];
  for (let index = 0; index < input.count; index++) {
    const key = shardKey(input, { index, count: input.count });
    const s = await readJson<EvalShard>(ctx.store, key);
    if (s?.reason !== input.reason)
      throw new Error(`evaluation shard ${store(ctx, key)} is missing (its evaluate did not complete)`);
    shards.push(s);
  }
  const parts: Record<string, TaskPart> = {};
  for (const s of shards) {
    for (const [task, p] of Object.entries(s.parts)) {
      parts[task] ??= { values: [], thinkTokens: [], answerTokens: [] };
      const into = parts[task];
      into.values.push(...p.values);
      into.thinkTokens.push(...p.thinkTokens);
      into.answerTokens.push(...p.answerTokens);
    }
  }
  return writeEvalRecord(ctx, evalRecordOf(input, parts, Math.max(...shards.map((s) => s.ms))));
}

const store = (ctx: RunContext, key: string) => ctx.store.uriOf(key);

async function writeEvalRecord(ctx: RunContext, record: EvalRecord): Promise<EvaluateOutput> {
  await writeJson(ctx.store, runKeys.evaluation(record.step), record);
  const trackingFailures = await trackEvaluation(ctx, record);
  Context.current().log.info('evaluated', {
    step: record.step,
    reason: record.reason,
    scores: record.scores,
    ...(trackingFailures === null ? {} : { trackingFailures }),
  });
  return { scores: record.scores, ms: record.evaluationMs };
}

/** Means per task, tasks in name order; a task with no samples has none. */
function evalRecordOf(input: EvaluateInput, parts: Record<string, TaskPart>, ms: number): EvalRecord {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const tasks = Object.keys(parts)
    .sort()
    .filter((t) => parts[t].thinkTokens.length > 0);
  const each = <T>(f: (p: TaskPart) => T) => Object.fromEntries(tasks.map((t) => [t, f(parts[t])]));
  return {
    step: input.step,
    stage: input.stage,
    reason: input.reason,
    scores: each((p) => (p.values.length ? mean(p.values) : null)),
    samples: each((p) => p.thinkTokens.length),
    thinkTokensMean: each((p) => mean(p.thinkTokens)),
    answerTokensMean: each((p) => mean(p.answerTokens)),
    evaluationMs: ms,
  };
}

/** Samples and scores each task's held-out rows (those of `shard` only, when given). */
async function evaluateParts(
  ctx: RunContext,
  input: EvaluateInput,
  shard?: RolloutShard
): Promise<Record<string, TaskPart>> {
  const policy = await policyFor(ctx, input.policy);
  const ev = ctx.config.evaluation;
  const template = templateOf(ctx.config);
  // GZ evaluates at the largest training window (schemas/experiment/evaluation.ts).
  const maxTokens = ev.maxTokens ?? maxWindow(ctx.config.window);
  const prefix = template.prefillThink ? `<${template.thinkTag}>` : '';
  const parts: Record<string, TaskPart> = {};
  for (const task of Object.keys(ctx.config.tasks).sort()) {
    // The first heldOutSize rows of the held-out set (itself a seeded sample of the source: data/prepare.ts).
    const rows = (await heldOutRows(ctx, task)).slice(0, ev.perTask[task]?.heldOutSize ?? Number.POSITIVE_INFINITY);
    const prompts = rows.map((row) => promptIds(policy, row, ctx));
    const { from, to } = shardRange(rows.length, shard);
    if (to === from) continue;
    const rollouts = await policy.sample(prompts.slice(from, to), {
      samplesPerPrompt: ev.perTask[task]?.avgK ?? ev.avgK,
      maxNewTokens: maxTokens,
      // Evaluation draws never coincide with training draws: a step index training never reaches.
      step: 1_000_000_000 + input.step,
      promptIndexOffset: from,
      padToLength: Math.max(...prompts.map((p) => p.length)),
      temperature: ev.temperature,
      topP: ev.topP,
      topK: ev.topK,
      repetitionPenalty: ev.repetitionPenalty,
      template,
      // Per token step, not only per task: one task's sampling can outlast a short heartbeat timeout.
      onStep: tokenBeats({ task }),
    });
    heartbeat({ task });
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
    const scale = accuracyScaleOf(ctx.config, task);
    parts[task] = {
      values: scored.records.map((r) => evalScore(r.components.accuracy, scale)).filter((v): v is number => v !== null),
      thinkTokens: scored.records.map((r) => r.facts.thinkTokens),
      answerTokens: scored.records.map((r) => r.facts.answerTokens),
    };
  }
  return parts;
}
