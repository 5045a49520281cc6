/** One RL step's rollout: G responses to each prompt of the step's batch (or of a shard of it), as rollout records. */
import type { Policy } from '../engine/policy.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import type { RolloutRecord } from '../schemas/records/rollout-record.ts';
import { templateOf } from './policy-config.ts';
import { sampleRows } from './sampling.ts';

export interface RolloutOptions {
  step: number;
  /** The response window in force, tokens. */
  window: number;
  /** The prompts of this shard, `[from, to)` of the batch; default all. */
  range?: { from: number; to: number };
  /** The batch index of `rows[0]`: a later draw of a step numbers its prompts on from the draws before it. */
  firstIndex?: number;
  /** Responses per prompt; default the config's `rollout.groupSize` (rejection sampling draws its own k). */
  samplesPerPrompt?: number;
  /** Called after every token step with the tokens each active row has so far. */
  onProgress?: (tokens: number) => void;
}

/**
 * The G responses of the prompts `range` of the step's batch, with the config's rollout sampling. Each prompt keeps
 * its index in the whole batch (its seed, its group id) and is padded to the whole batch's longest prompt, so a shard
 * samples exactly what the unsharded rollout samples for those prompts. An extra draw's prompts are numbered on from
 * the draws before it (`firstIndex`).
 */
export async function rolloutRecords(
  policy: Policy,
  rows: readonly DatasetRow[],
  config: ExperimentConfig,
  o: RolloutOptions
): Promise<RolloutRecord[]> {
  const r = config.rollout;
  const responses = await sampleRows(policy, rows, {
    template: templateOf(config),
    sampling: { temperature: r.temperature, topP: r.topP, topK: r.topK, repetitionPenalty: r.repetitionPenalty },
    samplesPerPrompt: o.samplesPerPrompt ?? r.groupSize,
    maxNewTokens: o.window,
    step: o.step,
    ...(o.range ? { range: o.range } : {}),
    ...(o.firstIndex ? { firstIndex: o.firstIndex } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  return responses.map((ro) => {
    const row = rows[ro.promptIndex - (o.firstIndex ?? 0)];
    const groupId = `${o.step}/${ro.promptIndex}`;
    return {
      id: `${groupId}/${ro.sampleIndex}`,
      groupId,
      step: o.step,
      task: row.task,
      kind: row.kind,
      rowId: row.id,
      promptIndex: ro.promptIndex,
      sampleIndex: ro.sampleIndex,
      response: ro.text,
      tokens: ro.tokens,
      oldLogProbs: ro.logprobs,
      truncated: ro.truncated,
      window: o.window,
    };
  });
}
