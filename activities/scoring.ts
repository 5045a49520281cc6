/** The CPU scoring activity: reads the step's prompts and rollouts, scores them (training/scoring.ts), writes rewards. */
import { filterGroups, firstPromptOfDraw } from '../rl/dynamic-sampling.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import type { RewardRecord } from '../schemas/records/reward-record.ts';
import type { RolloutRecord } from '../schemas/records/rollout-record.ts';
import { runKeys } from '../storage/run-layout.ts';
import { scoreSamples, toScorerSample } from '../training/scoring.ts';
import { drawnSamples } from '../training/update-batch.ts';
import { keepAlive } from './keep-alive.ts';
import { once, readJsonl, runContext, writeJsonl } from './run-context.ts';
import type { ScoreInput, ScoreOutput } from './types.ts';

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
