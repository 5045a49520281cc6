/**
 * Turning records into what the charts draw: series over steps with explicit gaps, stage boundaries, the BWT matrix
 * (SPEC §8, OT §4) and the summary table. Pure functions, unit-tested with hand-computed values.
 */
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import type { RunData, RunHeader } from './run-data.ts';

/** `y: null` is a gap: the line is broken there, never bridged. */
export interface Point {
  x: number;
  y: number | null;
}

/**
 * One point per step from the first to the last step that has metrics; a step without metrics, or for which `pick`
 * gives nothing (the task was not trained that step), is a gap.
 */
export function stepSeries(metrics: StepMetrics[], pick: (m: StepMetrics) => number | null | undefined): Point[] {
  if (metrics.length === 0) return [];
  const byStep = new Map(metrics.map((m) => [m.step, m]));
  const first = metrics[0].step;
  const last = metrics.at(-1)!.step;
  const out: Point[] = [];
  for (let s = first; s <= last; s++) {
    const m = byStep.get(s);
    const y = m === undefined ? null : pick(m);
    out.push({ x: s, y: y === undefined || y === null || !Number.isFinite(y) ? null : y });
  }
  // Trim the leading/trailing gaps of a series that exists only within some stage, so its x-range is honest.
  while (out.length > 0 && out[0].y === null) out.shift();
  while (out.length > 0 && out.at(-1)!.y === null) out.pop();
  return out;
}

/** Held-out score of one task at each evaluation; a null score (nothing could be scored) is a gap. */
export function evalSeries(evaluations: EvalRecord[], pick: (e: EvalRecord) => number | null | undefined): Point[] {
  const out: Point[] = [];
  for (const e of evaluations) {
    const y = pick(e);
    if (y === undefined) continue;
    out.push({ x: e.step, y: y === null || !Number.isFinite(y) ? null : y });
  }
  return out;
}

export const drawnPoints = (points: Point[]): number => points.filter((p) => p.y !== null).length;

/** Tasks in a stable order: as the plan lists them, then as the metrics and evaluations first mention them. */
export function taskOrder(runs: RunData[]): string[] {
  const seen: string[] = [];
  const add = (t: string) => {
    if (!seen.includes(t)) seen.push(t);
  };
  for (const r of runs) for (const s of r.header.stages) s.tasks.forEach(add);
  for (const r of runs) for (const m of r.metrics) Object.keys(m.perTask).forEach(add);
  for (const r of runs) for (const e of r.evaluations) Object.keys(e.scores).forEach(add);
  return seen;
}

/** Reward component names over every task and step, in first-seen order. */
export function componentNames(metrics: StepMetrics[]): string[] {
  const out: string[] = [];
  for (const m of metrics)
    for (const t of Object.values(m.perTask))
      for (const c of Object.keys(t.components)) if (!out.includes(c)) out.push(c);
  return out;
}

export interface StageBoundary {
  /** Global step where the stage begins; the vertical line is drawn here for every stage but the first. */
  step: number;
  endStep: number;
  name: string;
}

export function stageBoundaries(header: RunHeader): StageBoundary[] {
  return header.stages.map((s) => ({ step: s.startStep, endStep: s.endStep, name: s.name }));
}

export interface BwtRow {
  /** `base`, or the stage just finished. */
  label: string;
  /** Evaluation step the row was read from; null when no evaluation was found for it. */
  step: number | null;
  scores: Record<string, number | null>;
}

export interface BwtMatrix {
  tasks: string[];
  /** Base first, then one row after each stage in run order. */
  rows: BwtRow[];
  /** For each row after a stage: BWT_j = P_base,j − P_after,j (SPEC §8; positive = forgetting), null if either is. */
  bwt: { label: string; values: Record<string, number | null> }[];
  /** BWT after the last stage: the run's BWT per task. */
  final: Record<string, number | null>;
  problems: string[];
}

/**
 * Rows of the matrix: the base evaluation (reason `base`, else the one at step 0), then after each stage the
 * stage-end (or final) evaluation naming that stage, else the evaluation taken at the stage's end step.
 */
export function bwtMatrix(header: RunHeader, evaluations: EvalRecord[], tasks: string[]): BwtMatrix {
  const problems: string[] = [];
  const row = (label: string, e: EvalRecord | undefined): BwtRow => ({
    label,
    step: e?.step ?? null,
    scores: Object.fromEntries(tasks.map((t) => [t, e?.scores[t] ?? null])),
  });
  const base = evaluations.find((e) => e.reason === 'base') ?? evaluations.find((e) => e.step === 0);
  if (!base && evaluations.length > 0) problems.push('no base evaluation (reason "base" or step 0): BWT undefined');
  const rows: BwtRow[] = [row('base', base)];
  for (const stage of header.stages) {
    const named = evaluations.filter(
      (e) => e.stage === stage.name && (e.reason === 'stage-end' || e.reason === 'final')
    );
    const e = named.at(-1) ?? evaluations.find((x) => x.step === stage.endStep);
    const complete = header.totalSteps === null || evaluations.some((x) => x.step >= stage.endStep);
    if (!e && complete) problems.push(`no evaluation at the end of stage '${stage.name}' (step ${stage.endStep})`);
    rows.push(row(`after ${stage.name}`, e));
  }
  const bwt = rows.slice(1).map((r) => ({
    label: r.label,
    values: Object.fromEntries(
      tasks.map((t) => {
        const b = rows[0].scores[t];
        const a = r.scores[t];
        return [t, b === null || a === null ? null : b - a];
      })
    ),
  }));
  const lastWithData = [...bwt].reverse().find((b) => Object.values(b.values).some((v) => v !== null));
  const final = lastWithData?.values ?? Object.fromEntries(tasks.map((t) => [t, null]));
  return { tasks, rows, bwt, final, problems };
}

/**
 * pass@k per task of the base and of the last evaluated row of the matrix, labelled `pass@k base` and `pass@k after
 * <stage>` (k is avg@k's k); empty when the records hold no pass@k. The base's pass@k − avg@k is the gain that RL
 * which only sharpens the base can reach.
 */
export function passAtKRows(
  evaluations: EvalRecord[],
  matrix: BwtMatrix
): { label: string; scores: Record<string, number | null> }[] {
  const evaluated = matrix.rows.filter((r) => r.step !== null);
  const ends = [...new Set([evaluated[0], evaluated.at(-1)])].filter((r) => r !== undefined);
  return ends.flatMap((r) => {
    const e = evaluations.find((x) => x.step === r.step && x.passAtK);
    const ks = Object.values(e?.passAtK ?? {}).flatMap((p) => (p ? [p.k] : []));
    if (!e || ks.length === 0) return [];
    const k = ks.every((x) => x === ks[0]) ? String(ks[0]) : 'k';
    return [
      {
        label: `pass@${k} ${r.label}`,
        scores: Object.fromEntries(matrix.tasks.map((t) => [t, e.passAtK?.[t]?.score ?? null])),
      },
    ];
  });
}

export interface RunSummary {
  /** Score per task in the last evaluation record (null when absent or unscored). */
  finalScores: Record<string, number | null>;
  finalStep: number | null;
  /** BWT per task after the last stage (see bwtMatrix). */
  bwt: Record<string, number | null>;
  /**
   * Best score after any stage minus the score after the last stage with one, per task (≥ 0): forgetting since the
   * peak, which BWT-vs-base hides when training lifted a task far above its base.
   */
  dropFromBest: Record<string, number | null>;
  /**
   * Mean over tasks of P_final,j / P_base,j (OT's "average relative performance"), over the tasks where both exist
   * and the base is above 0; null when there is none.
   */
  averageRelative: number | null;
  /** Tasks the relative mean left out (no base, base 0, or no final score). */
  relativeSkipped: string[];
  /** Sum of each phase's wall time over every recorded step (see stepPhases), plus the base evaluation, ms. */
  phaseMs: Record<Phase, number>;
  steps: number;
}

export const PHASES = ['rollout', 'scoring', 'update', 'checkpoint', 'evaluation'] as const;
export type Phase = (typeof PHASES)[number];

export function phaseMs(m: StepMetrics, phase: Phase): number {
  const t = m.timings;
  switch (phase) {
    case 'rollout':
      return t.rolloutMs;
    case 'scoring':
      return t.scoringMs;
    case 'update':
      return t.updateMs;
    case 'checkpoint':
      return t.checkpointMs ?? 0;
    case 'evaluation':
      return t.evaluationMs ?? 0;
  }
}

/**
 * Each recorded step's wall time per phase. When the loop leaves `timings.evaluationMs` out, the evaluation taken
 * after step s (its record is keyed by steps completed, s + 1) is charged to step s from the EvalRecord's own
 * `evaluationMs`, so evaluation time shows either way.
 */
export function stepPhases(run: RunData): { step: number; ms: Record<Phase, number> }[] {
  const evalMs = new Map(run.evaluations.map((e) => [e.step, e.evaluationMs]));
  return run.metrics.map((m) => {
    const ms = Object.fromEntries(PHASES.map((p) => [p, phaseMs(m, p)])) as Record<Phase, number>;
    if (m.timings.evaluationMs === undefined) ms.evaluation = evalMs.get(m.step + 1) ?? 0;
    return { step: m.step, ms };
  });
}

export function runSummary(run: RunData, matrix: BwtMatrix): RunSummary {
  const last = run.evaluations.at(-1);
  const finalScores = Object.fromEntries(matrix.tasks.map((t) => [t, last?.scores[t] ?? null]));
  const base = matrix.rows[0].scores;
  const ratios: number[] = [];
  const relativeSkipped: string[] = [];
  for (const t of matrix.tasks) {
    const b = base[t];
    const f = finalScores[t];
    if (b === null || f === null || b <= 0) relativeSkipped.push(t);
    else ratios.push(f / b);
  }
  const dropFromBest = Object.fromEntries(
    matrix.tasks.map((t) => {
      const after = matrix.rows
        .slice(1)
        .map((r) => r.scores[t])
        .filter((v): v is number => v !== null);
      return [t, after.length === 0 ? null : Math.max(...after) - after.at(-1)!];
    })
  );
  const totals = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  for (const { ms } of stepPhases(run)) for (const p of PHASES) totals[p] += ms[p];
  // The base evaluation runs before step 0, so no step carries it.
  const baseEval = run.evaluations.find((e) => e.reason === 'base');
  if (baseEval) totals.evaluation += baseEval.evaluationMs;
  return {
    finalScores,
    finalStep: last?.step ?? null,
    bwt: matrix.final,
    dropFromBest,
    averageRelative: ratios.length === 0 ? null : ratios.reduce((a, b) => a + b, 0) / ratios.length,
    relativeSkipped,
    phaseMs: totals,
    steps: run.metrics.length,
  };
}
