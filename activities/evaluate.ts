/**
 * Held-out evaluation (GPU): each task's first `heldOutSize` held-out rows, `avgK` samples each, scored as in
 * training. With `orchestration.rollout.shards` > 1 the workflow runs one `evaluate` per shard (a contiguous range of
 * every task's rows, each keeping its index and the task's padding, as rollout shards do) and then
 * `mergeEvaluation`, which concatenates the shards' per-sample values in row order and takes the same means as one
 * unsharded evaluation: the record is the same whatever the shard count.
 */
import { Context, heartbeat } from '@temporalio/activity';
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import { joinKey } from '../storage/blob-store.ts';
import { runKeys } from '../storage/run-layout.ts';
import {
  type EvalTaskPart,
  evalRecordOf,
  evaluatedRows,
  evaluateTask,
  mergeEvalParts,
} from '../training/evaluation.ts';
import { policyFor } from '../training/policy-store.ts';
import { heldOutRows } from './datasets.ts';
import { ready } from './gpu.ts';
import { shardRange } from './rollout-shards.ts';
import { type RunContext, readJson, runContext, writeJson } from './run-context.ts';
import { tokenBeats } from './token-beats.ts';
import { trackEvaluation } from './tracking.ts';
import type { EvaluateInput, EvaluateOutput, RolloutShard } from './types.ts';

/** What one shard of an evaluation leaves for the merge. */
interface EvalShard {
  reason: EvaluateInput['reason'];
  parts: Record<string, EvalTaskPart>;
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
  const parts = mergeEvalParts(shards.map((s) => s.parts));
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

/** Samples and scores each task's held-out rows (those of `shard` only, when given). */
async function evaluateParts(
  ctx: RunContext,
  input: EvaluateInput,
  shard?: RolloutShard
): Promise<Record<string, EvalTaskPart>> {
  const policy = await policyFor(ctx, input.policy, 'sampling');
  const parts: Record<string, EvalTaskPart> = {};
  for (const task of Object.keys(ctx.config.tasks).sort()) {
    const rows = evaluatedRows(ctx.config, task, await heldOutRows(ctx, task));
    const range = shardRange(rows.length, shard);
    if (range.to === range.from) continue;
    parts[task] = await evaluateTask(policy, rows, ctx, {
      task,
      step: input.step,
      range,
      // Per token step, not only per task: one task's sampling can outlast a short heartbeat timeout.
      onProgress: tokenBeats({ task }),
    });
    heartbeat({ task });
  }
  return parts;
}
