/**
 * DAPO dynamic sampling in a step (`grpo.dynamicSampling`, rl/dynamic-sampling.ts): after the step's own batch, more
 * batches are drawn from the data cursor, each rolled out and scored like the first (sharded the same way, seeded by
 * its prompts' indices in the step), until the step holds `rollout.promptsPerStep` groups whose rewards are not all
 * equal or has drawn `maxBatches` batches. The update then trains on the first kept groups. Every draw is its own
 * activities with keys of their own, so a retry or a resume replays the same draws and the cursor moves the same way.
 */
import { log } from '@temporalio/workflow';
import type { DataCursor, ScoreOutput, StepDraw } from '../activities/types.ts';
import { drawAgain } from '../rl/dynamic-sampling.ts';
import type { OrchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';
import type { GpuRoute } from './gpu-route.ts';
import { type DrawInput, rolloutAndScore } from './step-rollout.ts';

export interface ExtraDraws {
  /** The extra draws' records, in draw order (none when the first batch had enough kept groups). */
  draws: StepDraw[];
  /** The data cursor after the last draw. */
  cursor: DataCursor;
  /** Their rollout and scoring time, added to the step's. */
  ms: { rollout: number; scoring: number };
}

/** Draws after the step's own batch (`first`, already scored) until enough groups are kept or the bound is hit. */
export async function drawMore(
  o: OrchestrationSettings,
  gpu: GpuRoute,
  first: DrawInput & { stageIndex: number },
  scored: ScoreOutput
): Promise<ExtraDraws> {
  const { maxBatches, groups: want } = o.dynamicSampling!;
  const sampleBatch = activity(o, o.taskQueues.cpu, 'sampleBatch');
  const out: ExtraDraws = { draws: [], cursor: first.batch.cursor, ms: { rollout: 0, scoring: 0 } };
  let kept = keptIn(scored);
  for (let draw = 1; drawAgain({ kept, want, draws: draw, maxBatches }); draw++) {
    const { run, step, stageIndex } = first;
    const batch = await sampleBatch({ run, step, stageIndex, cursor: out.cursor, draw });
    const done = await rolloutAndScore(o, gpu, { ...first, batch, draw });
    out.draws.push({
      promptsKey: batch.promptsKey,
      rolloutsKey: done.rollout.rolloutsKey,
      rewardsKey: done.scored.rewardsKey,
    });
    out.cursor = batch.cursor;
    out.ms.rollout += done.rollout.ms;
    out.ms.scoring += done.scored.ms;
    kept += keptIn(done.scored);
  }
  if (kept < want)
    log.warn('dynamic sampling reached maxBatches short of a full batch: the step trains on the groups it kept', {
      step: first.step,
      maxBatches,
      kept,
      want,
    });
  return out;
}

function keptIn(scored: ScoreOutput): number {
  if (!scored.groups) throw new Error('dynamic sampling is on but the score reported no group counts');
  return scored.groups.kept;
}
