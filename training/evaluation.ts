/**
 * Held-out evaluation as the library the evaluate activity calls: one task's rows (or a shard of them) sampled with
 * the config's evaluation settings and scored as in training, and the means per task of the evaluation record. A
 * task's part keeps its per-sample values in row order, so the parts of several shards, concatenated in shard order,
 * take the same means as one unsharded evaluation.
 */
import type { Policy } from '../engine/policy.ts';
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
  const responses = await sampleRows(policy, rows, {
    template: templateOf(run.config),
    sampling: { temperature: ev.temperature, topP: ev.topP, topK: ev.topK, repetitionPenalty: ev.repetitionPenalty },
    samplesPerPrompt: ev.perTask[o.task]?.avgK ?? ev.avgK,
    // GZ evaluates at the largest training window (schemas/experiment/evaluation.ts).
    maxNewTokens: ev.maxTokens ?? maxWindow(run.config.window),
    // Evaluation draws never coincide with training draws: a step index training never reaches.
    step: 1_000_000_000 + o.step,
    ...(o.range ? { range: o.range } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  const scored = await scoreResponses(run, rows, responses, 'eval', policy.tokenizer);
  const scale = evalScaleOf(run.config, o.task);
  return {
    values: scored.records.map((r) => evalScore(r.components.accuracy, scale)).filter((v): v is number => v !== null),
    thinkTokens: scored.records.map((r) => r.facts.thinkTokens),
    answerTokens: scored.records.map((r) => r.facts.answerTokens),
  };
}

/** The parts of several shards as one evaluation's: each task's samples concatenated in shard order. */
export function mergeEvalParts(shards: readonly Record<string, EvalTaskPart>[]): Record<string, EvalTaskPart> {
  const parts: Record<string, EvalTaskPart> = {};
  for (const s of shards) {
    for (const [task, p] of Object.entries(s)) {
      parts[task] ??= { values: [], thinkTokens: [], answerTokens: [] };
      const into = parts[task];
      into.values.push(...p.values);
      into.thinkTokens.push(...p.thinkTokens);
      into.answerTokens.push(...p.answerTokens);
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
    evaluationMs: ms,
  };
}
