/**
 * Scoring a step's responses with the config's rewards: the adapter from dataset rows and rollouts to the batch scorer
 * (rewards/scorer.ts), shared by the score and evaluate activities and the in-process GRPO probe. The judge client
 * and the tokenizer are built once per process and config; the judge's API key comes from the worker's environment,
 * never from the config.
 */
import { loadTokenizer } from '../engine/tokenizer/load.ts';
import type { Tokenizer } from '../engine/types.ts';
import { JudgeClient } from '../rewards/judge/client.ts';
import { judgeOptionsFromConfig } from '../rewards/judge/from-config.ts';
import { scorerOptionsFromConfig } from '../rewards/scorer/from-config.ts';
import { type ScoreBatchResult, type ScorerSample, scoreBatch } from '../rewards/scorer.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import { tokenizerSpecOf } from './policy-config.ts';

/** What scoring needs of a run: its config, and the config's hash that keys the per-process judge and tokenizer. */
export interface ScoringRun {
  run: { configHash: string };
  config: ExperimentConfig;
}

const judges = new Map<string, JudgeClient>();
const tokenizers = new Map<string, Tokenizer>();

function judgeFor(ctx: ScoringRun): JudgeClient | undefined {
  const section = ctx.config.rewards.judge;
  if (!section) return undefined;
  let j = judges.get(ctx.run.configHash);
  if (!j) {
    j = new JudgeClient(judgeOptionsFromConfig(section));
    judges.set(ctx.run.configHash, j);
  }
  return j;
}

function tokenizerFor(ctx: ScoringRun): Tokenizer {
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

type SampledText = { promptIndex: number; sampleIndex: number; text: string; truncated: boolean };

/** Scorer samples of sampled responses to `rows`: ids `<prefix>/<row>/<sample>`, one group `<prefix>/<row>` per row. */
export function responseSamples(
  rows: readonly DatasetRow[],
  responses: readonly SampledText[],
  prefix: string
): ScorerSample[] {
  return responses.map((r) =>
    toScorerSample(
      rows[r.promptIndex],
      `${prefix}/${r.promptIndex}/${r.sampleIndex}`,
      `${prefix}/${r.promptIndex}`,
      r.text,
      r.truncated
    )
  );
}

/** Scores sampled responses to `rows` (samples as {@link responseSamples} names them). */
export function scoreResponses(
  ctx: ScoringRun,
  rows: readonly DatasetRow[],
  responses: readonly SampledText[],
  prefix: string,
  tokenizer?: Tokenizer
): Promise<ScoreBatchResult> {
  return scoreSamples(ctx, responseSamples(rows, responses, prefix), tokenizer);
}

export function scoreSamples(
  ctx: ScoringRun,
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
