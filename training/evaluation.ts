/**
 * Held-out evaluation as the library the evaluate activity calls: one task's rows (or a shard of them) sampled with
 * the config's evaluation settings and scored as in training, and the means per task of the evaluation record. A
 * task's part keeps its per-sample values in row order, so the parts of several shards, concatenated in shard order,
 * take the same means as one unsharded evaluation.
 */
import type { Policy } from '../engine/policy.ts';
import { meanPassAtK, type PromptHits } from '../rl/pass-at-k.ts';
import { evalScore } from '../rl/step-metrics.ts';
import { maxWindow } from '../schemas/experiment/window.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import { templateOf } from './policy-config.ts';
import { sampleRows } from './sampling.ts';
import { type ScoringRun, scoreResponses } from './scoring.ts';

/** One task's evaluated samples in row order: what its means are taken over. */
export interface EvalTaskPart {
  /** Defined evaluation scores. */
  values: number[];
  thinkTokens: number[];
  answerTokens: number[];
  /** Per prompt, in row order: samples scored and samples with full marks (what pass@k is taken over). */
  prompts?: PromptHits[];
  /** Samples drawn per prompt (avg@k's k, pass@k's k). */
  samplesPerPrompt?: number;
}

/** The scale a task's accuracy component is read on (rl/'s evalScore). */
export function evalScaleOf(config: ExperimentConfig, task: string): Parameters<typeof evalScore>[1] {
  const t = config.tasks[task];
  const v = config.rewards.verifiable;
  if (t.scorer === 'judge')
    return config.rewards.judge?.mode === 'pairwise' ? { kind: 'judge-pairwise' } : { kind: 'judge-scalar' };
  return { kind: t.scorer === 'constraints' ? 'constraints' : 'verifier', correct: v.correct, incorrect: v.incorrect };
}

/** The held-out rows a task is evaluated on: the first `heldOutSize` of its held-out set (a seeded sample already). */
export function evaluatedRows(config: ExperimentConfig, task: string, heldOut: readonly DatasetRow[]): DatasetRow[] {
  return heldOut.slice(0, config.evaluation.perTask[task]?.heldOutSize ?? Number.POSITIVE_INFINITY);
}

export interface EvaluateTaskOptions {
  task: string;
  /** The RL step evaluated (its draws never coincide with a training step's). */
  step: number;
  /** The rows of this shard, `[from, to)`; default all. */
  range?: { from: number; to: number };
  /** Called after every token step. */
  onProgress?: (tokens: number) => void;
}

/** Samples and scores `rows` of one task (those of `range`) with the config's evaluation settings. */
export async function evaluateTask(
  policy: Policy,
  rows: readonly DatasetRow[],
  run: ScoringRun,
  o: EvaluateTaskOptions
): Promise<EvalTaskPart> {
  const ev = run.config.evaluation;
  const samplesPerPrompt = ev.perTask[o.task]?.avgK ?? ev.avgK;
  const responses = await sampleRows(policy, rows, {
    template: templateOf(run.config),
    sampling: { temperature: ev.temperature, topP: ev.topP, topK: ev.topK, repetitionPenalty: ev.repetitionPenalty },
    samplesPerPrompt,
    // GZ evaluates at the largest training window (schemas/experiment/evaluation.ts).
    maxNewTokens: ev.maxTokens ?? maxWindow(run.config.window),
    // Evaluation draws never coincide with training draws: a step index training never reaches.
    step: 1_000_000_000 + o.step,
    ...(o.range ? { range: o.range } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  const scored = await scoreResponses(run, rows, responses, 'eval', policy.tokenizer);
  const scale = evalScaleOf(run.config, o.task);
  const scores = scored.records.map((r) => evalScore(r.components.accuracy, scale));
  return {
    values: scores.filter((v): v is number => v !== null),
    thinkTokens: scored.records.map((r) => r.facts.thinkTokens),
    answerTokens: scored.records.map((r) => r.facts.answerTokens),
    prompts: promptHits(
      responses.map((r) => r.promptIndex),
      scores
    ),
    samplesPerPrompt,
  };
}

/** Each prompt's scored samples and full marks, prompts in the order they first appear. */
export function promptHits(promptIndex: readonly number[], scores: readonly (number | null)[]): PromptHits[] {
  const byPrompt = new Map<number, PromptHits>();
  promptIndex.forEach((p, i) => {
    const hits = byPrompt.get(p) ?? { scored: 0, full: 0 };
    byPrompt.set(p, hits);
    const score = scores[i];
    if (score === null || score === undefined) return;
    hits.scored++;
    if (score === 1) hits.full++;
  });
  return [...byPrompt.values()];
}

/** The parts of several shards as one evaluation's: each task's samples concatenated in shard order. */
export function mergeEvalParts(shards: readonly Record<string, EvalTaskPart>[]): Record<string, EvalTaskPart> {
  const parts: Record<string, EvalTaskPart> = {};
  for (const s of shards) {
    for (const [task, p] of Object.entries(s)) {
      parts[task] ??= { values: [], thinkTokens: [], answerTokens: [], prompts: [] };
      const into = parts[task];
      into.values.push(...p.values);
      into.thinkTokens.push(...p.thinkTokens);
      into.answerTokens.push(...p.answerTokens);
      // A shard written before pass@k was recorded has no prompts: the task's pass@k is then unknown.
      into.prompts = into.prompts && p.prompts ? [...into.prompts, ...p.prompts] : undefined;
      into.samplesPerPrompt = p.samplesPerPrompt;
    }
  }
  return parts;
}

/** Means per task, tasks in name order; a task with no samples has none. */
export function evalRecordOf(
  at: Pick<EvalRecord, 'step' | 'stage' | 'reason'>,
  parts: Record<string, EvalTaskPart>,
  ms: number
): EvalRecord {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const tasks = Object.keys(parts)
    .sort()
    .filter((t) => parts[t].thinkTokens.length > 0);
  const each = <T>(f: (p: EvalTaskPart) => T) => Object.fromEntries(tasks.map((t) => [t, f(parts[t])]));
  return {
    step: at.step,
    stage: at.stage,
    reason: at.reason,
    scores: each((p) => (p.values.length ? mean(p.values) : null)),
    samples: each((p) => p.thinkTokens.length),
    thinkTokensMean: each((p) => mean(p.thinkTokens)),
    answerTokensMean: each((p) => mean(p.answerTokens)),
    passAtK: each((p) => passAtKOf(p)),
    evaluationMs: ms,
  };
}

/** pass@k with k = the samples each prompt was given (avg@k's k): the share of prompts that any sample solves. */
function passAtKOf(part: EvalTaskPart): { k: number; score: number | null } | null {
  const { prompts, samplesPerPrompt: k } = part;
  if (!prompts || prompts.length === 0 || k === undefined) return null;
  return { k, score: meanPassAtK(prompts, k) };
}
