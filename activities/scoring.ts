/**
 * The CPU scoring activity and the adapter from dataset rows and rollouts to the batch scorer (rewards/scorer.ts),
 * shared with evaluation. The judge client, when the config has one, is built once per process; its API key comes
 * from the worker's environment, never from the config.
 */

import { loadTokenizer } from '../engine/tokenizer/load.ts';
import type { Tokenizer } from '../engine/types.ts';
import { JudgeClient } from '../rewards/judge/client.ts';
import { judgeOptionsFromConfig } from '../rewards/judge/from-config.ts';
import { scorerOptionsFromConfig } from '../rewards/scorer/from-config.ts';
import { type ScoreBatchResult, type ScorerSample, scoreBatch } from '../rewards/scorer.ts';
import { filterGroups, firstPromptOfDraw } from '../rl/dynamic-sampling.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import type { RewardRecord } from '../schemas/records/reward-record.ts';
import type { RolloutRecord } from '../schemas/records/rollout-record.ts';
import { runKeys } from '../storage/run-layout.ts';
import { keepAlive } from './keep-alive.ts';
import { tokenizerSpecOf } from './policy-store.ts';
import { once, type RunContext, readJsonl, runContext, writeJsonl } from './run-context.ts';
import type { ScoreInput, ScoreOutput } from './types.ts';
import { drawnSamples } from './update-batch.ts';

const judges = new Map<string, JudgeClient>();
const tokenizers = new Map<string, Tokenizer>();

function judgeFor(ctx: RunContext): JudgeClient | undefined {
  const section = ctx.config.rewards.judge;
  if (!section) return undefined;
  let j = judges.get(ctx.run.configHash);
  if (!j) {
    j = new JudgeClient(judgeOptionsFromConfig(section));
    judges.set(ctx.run.configHash, j);
  }
  return j;
}

function tokenizerFor(ctx: RunContext): Tokenizer {
  let t = tokenizers.get(ctx.run.configHash);
  if (!t) {
    t = loadTokenizer(tokenizerSpecOf(ctx.config));
    tokenizers.set(ctx.run.configHash, t);
  }
  return t;
}

export function toScorerSample(
  row: DatasetRow,
  id: string,
  groupId: string,
  response: string,
  truncated: boolean
): ScorerSample {
  return {
    id,
    task: row.task,
    kind: row.kind,
    groupId,
    prompt: row.prompt,
    response,
    truncated,
    reference: {
      ...(row.reference !== undefined ? { answer: row.reference } : {}),
      ...(row.accepted ? { accepted: row.accepted } : {}),
      ...(row.tests !== undefined ? { tests: row.tests } : {}),
      ...(row.constraints ? { constraints: row.constraints } : {}),
    },
  };
}

export function scoreSamples(
  ctx: RunContext,
  samples: ScorerSample[],
  tokenizer?: Tokenizer
): Promise<ScoreBatchResult> {
  const tok = tokenizer ?? tokenizerFor(ctx);
  const judge = judgeFor(ctx);
  return scoreBatch(
    samples,
    scorerOptionsFromConfig(ctx.config, { countTokens: (text) => tok.encode(text).length, ...(judge ? { judge } : {}) })
  );
}

export async function score(input: ScoreInput): Promise<ScoreOutput> {
  const ctx = await runContext(input.run);
  const draw = input.draw ?? 0;
  return once(ctx.store, runKeys.phaseDone(input.step, 'score', draw), async () => {
    const started = Date.now();
    const [rows, rollouts] = await Promise.all([
      readJsonl<DatasetRow>(ctx.store, input.promptsKey),
      readJsonl<RolloutRecord>(ctx.store, input.rolloutsKey),
    ]);
    const first = firstPromptOfDraw(draw, ctx.config.rollout.promptsPerStep);
    const result = await keepAlive({ phase: 'score' }, () =>
      scoreSamples(
        ctx,
        rollouts.map((r) => toScorerSample(rows[r.promptIndex - first], r.id, r.groupId, r.response, r.truncated))
      )
    );
    const records: RewardRecord[] = result.records;
    await writeJsonl(ctx.store, runKeys.rewards(input.step, draw), records);
    const defined = records.filter((r) => r.total !== null).map((r) => r.total as number);
    return {
      rewardsKey: runKeys.rewards(input.step, draw),
      rewardMean: defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null,
      undefinedTotal: result.summary.undefined.total,
      ms: Date.now() - started,
      ...(ctx.config.grpo.dynamicSampling.enabled ? { groups: groupCounts(rollouts, records) } : {}),
    };
  });
}

/** How many of a draw's groups dynamic sampling keeps, for the workflow's decision to draw again. */
function groupCounts(rollouts: readonly RolloutRecord[], rewards: readonly RewardRecord[]) {
  const { drawn, kept } = filterGroups(drawnSamples(rollouts, rewards));
  return { drawn, kept: kept.length };
}
