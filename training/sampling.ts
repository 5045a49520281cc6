/**
 * Sampling a policy's responses to dataset rows, as the rollout, evaluation and difficulty-reference activities all
 * do: the rows' prompts through the chat template, G responses each, the prefilled think tag put back in front of the
 * text the verifier reads, and a progress callback every token step (the activities heartbeat from it).
 */
import type { SamplingOptions } from '../engine/logits-processing.ts';
import type { Policy, PolicyTemplate } from '../engine/policy.ts';
import { nameHash } from '../rl/random.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';

/** Prompt token ids of a row for this policy: identical at rollout and update, so they are never stored. */
export function promptIds(policy: Policy, row: DatasetRow, template: PolicyTemplate): number[] {
  return policy.encodePrompt(policy.promptText({ prompt: row.prompt, context: row.context }, template));
}

export interface SampleRowsOptions {
  template: PolicyTemplate;
  sampling: SamplingOptions;
  /** Responses per row (GRPO's G). */
  samplesPerPrompt: number;
  /** Most new tokens per response: the window in force. */
  maxNewTokens: number;
  /** Mixed into every row's seed (the RL step, or any caller counter). */
  step: number;
  /**
   * The rows to sample, `[from, to)`; default all. The others only set the padding: each sampled row keeps its index
   * in the whole batch (its seed) and is padded to the whole batch's longest prompt, so a shard samples exactly what
   * the whole batch samples for those rows.
   */
  range?: { from: number; to: number };
  /** The batch index of `rows[0]`: a later draw of a step numbers its prompts on from the draws before it. Default 0. */
  firstIndex?: number;
  /** Seed each row by a hash of its id instead of its index, so it draws the same whatever batch it is in. */
  seedByRowId?: boolean;
  /** Called after every token step with the tokens each active row has so far. */
  onProgress?: (tokens: number) => void;
}

/** One response, as the scorer reads it. */
export interface SampledResponse {
  /** Its row's index in the batch: `firstIndex` + the row's position in `rows` (not within the range). */
  promptIndex: number;
  sampleIndex: number;
  /** The response text, after the prefilled opening think tag when the template prefills it. */
  text: string;
  /** Response token ids (without the prefill). */
  tokens: number[];
  /** Log-probabilities of `tokens` under the sampling distribution. */
  logprobs: number[];
  truncated: boolean;
}

/** The responses to `rows` (those of `range`), in the sampler's order: by row, then by sample. */
export async function sampleRows(
  policy: Policy,
  rows: readonly DatasetRow[],
  o: SampleRowsOptions
): Promise<SampledResponse[]> {
  const { from, to } = o.range ?? { from: 0, to: rows.length };
  const prompts = rows.map((row) => promptIds(policy, row, o.template));
  const rollouts = await policy.sample(prompts.slice(from, to), {
    ...o.sampling,
    samplesPerPrompt: o.samplesPerPrompt,
    maxNewTokens: o.maxNewTokens,
    step: o.step,
    promptIndexOffset: (o.firstIndex ?? 0) + from,
    ...(o.seedByRowId ? { promptKeys: rows.slice(from, to).map((r) => nameHash(r.id)) } : {}),
    padToLength: Math.max(...prompts.map((p) => p.length)),
    template: o.template,
    ...(o.onProgress ? { onStep: o.onProgress } : {}),
  });
  const prefix = o.template.prefillThink ? `<${o.template.thinkTag}>` : '';
  return rollouts.map((r) => ({
    promptIndex: r.promptIndex,
    sampleIndex: r.sampleIndex,
    text: prefix + r.text,
    tokens: r.tokens,
    logprobs: r.logprobs,
    truncated: r.truncated,
  }));
}
