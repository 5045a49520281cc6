/**
 * The comparison a sweep ends with (SPEC §10): per variant, each domain's final held-out score, the average relative
 * score (mean over tasks of P_final / P_base, OT), BWT per domain and wall time, as mean ± spread over seeds. Built
 * from the runs' own records with the same BWT and summary rules as a single run's report.
 */
import { lengthEnds } from './length-ends.ts';
import type { RunData } from './run-data.ts';
import { bwtMatrix, runSummary, taskOrder } from './shape.ts';

/** Mean and sample standard deviation (n − 1) over seeds; spread is null below two values, both null with none. */
export interface Stat {
  mean: number | null;
  spread: number | null;
  n: number;
}

export interface SweepRunData {
  variant: string;
  seed: number;
  runId: string;
  /** Wall time of the child run, start to end, ms. */
  wallMs: number;
  data: RunData;
}

export interface VariantRow {
  variant: string;
  seeds: number[];
  runIds: string[];
  base: Record<string, Stat>;
  final: Record<string, Stat>;
  bwt: Record<string, Stat>;
  averageRelative: Stat;
  wallMs: Stat;
  /**
   * Per task, mean think/answer tokens and reward over the first and last quarter of its training steps (GZ Fig. 4's
   * two ends; report/length-ends.ts); absent for a task the variant never trained (e.g. a merge).
   */
  lengths: Record<string, TaskLengthStats>;
}

export interface TaskLengthStats {
  thinkFirst: Stat;
  thinkLast: Stat;
  answerFirst: Stat;
  answerLast: Stat;
  rewardFirst: Stat;
  rewardLast: Stat;
}

export interface SweepComparison {
  tasks: string[];
  variants: VariantRow[];
}

export function stat(values: readonly (number | null)[]): Stat {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length === 0) return { mean: null, spread: null, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean, spread: null, n: 1 };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, spread: Math.sqrt(variance), n: xs.length };
}

/** Per task, the length ends of a variant's runs over seeds; tasks none of them trained are left out. */
export function lengthStats(rs: readonly SweepRunData[], tasks: readonly string[]): Record<string, TaskLengthStats> {
  const out: Record<string, TaskLengthStats> = {};
  for (const t of tasks) {
    const ends = rs.flatMap((r) => lengthEnds(r.data.metrics, t) ?? []);
    if (ends.length === 0) continue;
    out[t] = {
      thinkFirst: stat(ends.map((e) => e.first.thinkTokens)),
      thinkLast: stat(ends.map((e) => e.last.thinkTokens)),
      answerFirst: stat(ends.map((e) => e.first.answerTokens)),
      answerLast: stat(ends.map((e) => e.last.answerTokens)),
      rewardFirst: stat(ends.map((e) => e.first.reward)),
      rewardLast: stat(ends.map((e) => e.last.reward)),
    };
  }
  return out;
}

/** Rows in the order the variants first appear in `runs`. */
export function compareSweep(runs: readonly SweepRunData[]): SweepComparison {
  const tasks = taskOrder(runs.map((r) => r.data));
  const byVariant = new Map<string, SweepRunData[]>();
  for (const r of runs) byVariant.set(r.variant, [...(byVariant.get(r.variant) ?? []), r]);
  const variants = [...byVariant].map(([variant, rs]): VariantRow => {
    const summaries = rs.map((r) => {
      const matrix = bwtMatrix(r.data.header, r.data.evaluations, tasks);
      return { base: matrix.rows[0].scores, summary: runSummary(r.data, matrix) };
    });
    const perTask = (pick: (i: number, t: string) => number | null) =>
      Object.fromEntries(tasks.map((t) => [t, stat(summaries.map((_, i) => pick(i, t)))]));
    return {
      variant,
      seeds: rs.map((r) => r.seed),
      runIds: rs.map((r) => r.runId),
      base: perTask((i, t) => summaries[i].base[t] ?? null),
      final: perTask((i, t) => summaries[i].summary.finalScores[t] ?? null),
      bwt: perTask((i, t) => summaries[i].summary.bwt[t] ?? null),
      averageRelative: stat(summaries.map((s) => s.summary.averageRelative)),
      wallMs: stat(rs.map((r) => r.wallMs)),
      lengths: lengthStats(rs, tasks),
    };
  });
  return { tasks, variants };
}

const pct = (s: Stat) =>
  s.mean === null ? '–' : `${(100 * s.mean).toFixed(1)}${s.spread === null ? '' : ` ±${(100 * s.spread).toFixed(1)}`}`;
const ratio = (s: Stat) =>
  s.mean === null ? '–' : `${s.mean.toFixed(2)}${s.spread === null ? '' : ` ±${s.spread.toFixed(2)}`}`;
const secs = (s: Stat) => (s.mean === null ? '–' : `${(s.mean / 1000).toFixed(0)} s`);
const num = (s: Stat) => (s.mean === null ? '–' : s.mean.toFixed(1));

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** Think and answer tokens, first → last quarter of training, per variant and trained task (mean over seeds). */
export function renderLengthsText(c: SweepComparison): string {
  const rows = c.variants.flatMap((v) =>
    Object.entries(v.lengths).map(([t, l]) => [
      `${v.variant} / ${t}`,
      `${num(l.thinkFirst)} → ${num(l.thinkLast)}`,
      `${num(l.answerFirst)} → ${num(l.answerLast)}`,
      `${ratio(l.rewardFirst)} → ${ratio(l.rewardLast)}`,
    ])
  );
  return table(['variant / task', 'think tokens', 'answer tokens', 'reward'], rows);
}

/** The comparison as a plain-text table (held-out %, then average relative score, BWT points and wall time). */
export function renderComparisonText(c: SweepComparison): string {
  const head = ['variant', ...c.tasks.map((t) => `${t} %`), 'avg rel', ...c.tasks.map((t) => `BWT ${t}`), 'wall'];
  const rows = c.variants.map((v) => [
    `${v.variant} (${v.seeds.length} seed${v.seeds.length === 1 ? '' : 's'})`,
    ...c.tasks.map((t) => pct(v.final[t])),
    ratio(v.averageRelative),
    ...c.tasks.map((t) => pct(v.bwt[t])),
    secs(v.wallMs),
  ]);
  return table(head, rows);
}
