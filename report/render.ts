/**
 * The run report: one self-contained HTML page (inline CSS, a few lines of inline JS, charts as inline SVG; nothing
 * fetched, so it opens offline from a file:// URL or an e-mail attachment). One run, or two overlaid (solid vs
 * dashed) to compare e.g. OT's curriculum with its reverse, or GZ's length penalty with none.
 */
import { formatDuration } from '../schemas/format-duration.ts';
import { bwtColor, NEUTRAL, PHASE_COLORS, scoreColor, taskColors } from './colors.ts';
import type { RunData } from './run-data.ts';
import {
  type BwtMatrix,
  bwtMatrix,
  componentNames,
  evalSeries,
  PHASES,
  type Point,
  passAtKRows,
  type RunSummary,
  runSummary,
  stageBoundaries,
  stepPhases,
  stepSeries,
  taskOrder,
} from './shape.ts';
import {
  type Boundary,
  type Chart,
  escapeHtml,
  formatNumber,
  heatmap,
  type LegendItem,
  type LineSeries,
  lineChart,
  type MissingRange,
  pctAxis,
  percentLineChart,
  stackedBarChart,
} from './svg.ts';

export interface RenderOptions {
  /** A second run drawn dashed on the same charts, with its own BWT matrices and summary column. */
  compare?: RunData;
  /** Shown in the footer (e.g. the generation time); omitted by default so the page is reproducible. */
  generatedAt?: string;
}

export interface RenderedReport {
  html: string;
  /** data-chart names, in page order. */
  charts: string[];
  /** Steps with metrics in the primary run. */
  steps: number;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const pp = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v * 100).toFixed(1)} pp`;

interface Ctx {
  runs: RunData[];
  tasks: string[];
  colors: Record<string, string>;
  xDomain: [number, number];
  boundaries: Boundary[];
  /** Legend entries for the line styles (only in comparison mode). */
  styleLegend: LegendItem[];
  /** Steps without metrics, per run, shaded on the step charts. */
  missing: MissingRange[];
}

export function renderReport(run: RunData, options: RenderOptions = {}): RenderedReport {
  const runs = options.compare ? [run, options.compare] : [run];
  const tasks = taskOrder(runs);
  const colors = taskColors(tasks);
  const lastStep = Math.max(
    1,
    ...runs.flatMap((r) => [
      r.header.totalSteps ?? 0,
      (r.metrics.at(-1)?.step ?? 0) + 1,
      r.evaluations.at(-1)?.step ?? 0,
      r.header.stages.at(-1)?.endStep ?? 0,
    ])
  );
  const xDomain: [number, number] = [0, lastStep];
  const boundaries: Boundary[] = runs.flatMap((r, i) =>
    stageBoundaries(r.header).map((b) => ({
      step: b.step,
      label: i === 0 ? b.name : `${b.name}`,
      row: i as 0 | 1,
      line: b.step > xDomain[0],
    }))
  );
  const styleLegend: LegendItem[] = options.compare
    ? [
        { label: `${run.header.runId} (solid)`, color: NEUTRAL, run: run.header.runId },
        {
          label: `${options.compare.header.runId} (dashed)`,
          color: NEUTRAL,
          dashed: true,
          run: options.compare.header.runId,
        },
      ]
    : [];
  const missing = runs.flatMap((r) => missingRanges(r).map((m) => ({ ...m, run: r.header.runId })));
  const ctx: Ctx = { runs, tasks, colors, xDomain, boundaries, styleLegend, missing };
  const matrices = runs.map((r) => bwtMatrix(r.header, r.evaluations, tasks));
  const summaries = runs.map((r, i) => runSummary(r, matrices[i]));

  const matrixGrid = [
    ...matrices.map((m, i) => matrixCharts(ctx, m, i)[0]),
    ...matrices.map((m, i) => matrixCharts(ctx, m, i)[1]),
  ];
  const sections: { title: string; intro: string; charts: Chart[]; more?: Chart[] }[] = [
    {
      title: 'Held-out scores and forgetting',
      intro:
        'Held-out score per task at each evaluation (SPEC §8), stage boundaries marked. The matrices are OT §4’s backward transfer: rows are the base model and the model after each stage; BWT_j = P_base,j − P_after,j, positive = forgotten.',
      // Compared runs' matrices side by side: scores above, BWT below.
      charts: [heldOutChart(ctx), heldOutMeanChart(ctx)],
      more: matrixGrid,
    },
    {
      title: 'Rewards',
      intro: 'Mean reward per task over training steps, then each reward component (means over defined values).',
      charts: [
        rewardChart(ctx),
        // Training accuracy exists only for verifiable tasks; a run without any has no such chart.
        ...[
          taskFractionChart(
            ctx,
            'accuracy',
            'Training accuracy',
            'answers judged correct',
            (m, t) => m.perTask[t]?.accuracy
          ),
        ].filter((c) => c.points > 0),
        ...componentCharts(ctx),
      ],
    },
    {
      title: 'Think vs answer length',
      intro:
        'Mean think-content and answer-content length per task, in policy tokens (GZ Fig. 2; with vs without the length penalty is GZ Fig. 4 — compare two runs). Answer growing while think stalls is the reward hacking GZ §3.3 penalises.',
      charts: tasks.map((t) => lengthChart(ctx, t)).filter((c): c is Chart => c !== null),
    },
    {
      title: 'Training dynamics',
      intro:
        'Window in force (GZ §4.1), fraction of GRPO groups whose rewards are all equal (no signal), truncation, PPO clip fraction, approximate KL (k3), policy entropy, loss and learning rate.',
      charts: [
        windowChart(ctx),
        taskFractionChart(
          ctx,
          'zero-variance',
          'Zero-variance groups',
          'groups with equal rewards',
          (m, t) => m.perTask[t]?.zeroVarianceGroupFraction
        ),
        taskFractionChart(
          ctx,
          'truncated',
          'Truncated responses',
          'responses cut by the window',
          (m, t) => m.perTask[t]?.truncatedFraction
        ),
        ...[dynamicSamplingChart(ctx)].filter((c): c is Chart => c !== null),
        scalarChart(
          ctx,
          'clip-fraction',
          'PPO clip fraction',
          'fraction of tokens clipped',
          (m) => m.clipFraction,
          pctAxis
        ),
        scalarChart(ctx, 'kl', 'Approximate KL (k3)', 'KL, nats per token', (m) => m.klApprox),
        scalarChart(ctx, 'entropy', 'Policy entropy', 'entropy, nats per token', (m) => m.entropy),
        scalarChart(ctx, 'loss', 'Policy loss', 'GRPO loss', (m) => m.loss),
        scalarChart(ctx, 'learning-rate', 'Learning rate', 'learning rate', (m) => m.learningRate),
      ],
    },
    {
      title: 'Time per phase',
      intro: 'Wall time of each step, stacked by phase (rollout, scoring, update, checkpoint, evaluation).',
      charts: runs.map((r, i) => phaseChart(ctx, r, i)),
    },
  ];

  const charts = sections.flatMap((s) => [...s.charts, ...(s.more ?? [])]);
  const body = [
    headerHtml(runs),
    summaryHtml(runs, tasks, colors, summaries, matrices),
    ...sections.map(
      (s) =>
        `<section><h2>${escapeHtml(s.title)}</h2><p class="intro">${escapeHtml(s.intro)}</p>` +
        `<div class="grid">${s.charts.map((c) => c.html).join('')}</div>` +
        (s.more ? `<div class="grid more">${s.more.map((c) => c.html).join('')}</div>` : '') +
        '</section>'
    ),
    problemsHtml(runs, matrices),
    `<footer>Read from ${runs.map((r) => escapeHtml(r.source)).join(' and ')}.${options.generatedAt ? ` Generated ${escapeHtml(options.generatedAt)}.` : ''} omni-zero report.</footer>`,
  ].join('\n');
  const title = `${run.header.experiment ?? 'run'} · ${run.header.runId}${options.compare ? ` vs ${options.compare.header.runId}` : ''}`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} — omni-zero report</title>
<style>${PAGE_CSS}</style></head>
<body>
${body}
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
  return { html, charts: charts.map((c) => c.name), steps: run.metrics.length };
}

const runStyle = (i: number) => (i === 1 ? { dashed: true } : {});
const runSuffix = (ctx: Ctx, i: number) => (ctx.runs.length > 1 ? ` (${ctx.runs[i].header.runId})` : '');

function taskLegend(ctx: Ctx, tasks: string[]): LegendItem[] {
  return [...tasks.map((t) => ({ label: t, color: ctx.colors[t] })), ...ctx.styleLegend];
}

/** One line per task and run (colour by task, line style by run), through `points` of that run's records. */
function taskLines(ctx: Ctx, points: (run: RunData, task: string) => Point[], markers = false): LineSeries[] {
  return ctx.runs.flatMap((r, i) =>
    ctx.tasks.map((t) => ({
      label: `${t}${runSuffix(ctx, i)}`,
      color: ctx.colors[t],
      points: points(r, t),
      ...(markers ? { markers: true } : {}),
      ...runStyle(i),
    }))
  );
}

function heldOutChart(ctx: Ctx): Chart {
  const series = taskLines(
    ctx,
    (r, t) => evalSeries(r.evaluations, (e) => (t in e.scores ? e.scores[t] : undefined)),
    true
  );
  return percentLineChart({
    name: 'heldout',
    title: 'Held-out score per task',
    note: 'Accuracy for verifiable tasks, judge win rate / constraint satisfaction for open-ended ones.',
    yLabel: 'held-out score (%)',
    xDomain: ctx.xDomain,
    series,
    legend: taskLegend(ctx, ctx.tasks),
    boundaries: ctx.boundaries,
  });
}

/** Mean over tasks at each evaluation where every task was scored (else a gap: a partial mean would jump). */
export function heldOutMean(evaluations: RunData['evaluations'], tasks: string[]): Point[] {
  return evaluations.map((e) => {
    const v = tasks.map((t) => e.scores[t]);
    return {
      x: e.step,
      y: v.some((x) => x === null || x === undefined) ? null : (v as number[]).reduce((a, b) => a + b, 0) / v.length,
    };
  });
}

function heldOutMeanChart(ctx: Ctx): Chart {
  return lineChart({
    name: 'heldout-mean',
    title: 'Mean held-out score over tasks',
    note: 'Unweighted mean over tasks at each evaluation (the schedule comparison of OT Table 1).',
    yLabel: 'mean held-out score (%)',
    xDomain: ctx.xDomain,
    yZero: true,
    yFormat: pctAxis,
    percent: true,
    series: ctx.runs.map((r, i) => ({
      label: `all tasks${runSuffix(ctx, i)}`,
      color: NEUTRAL,
      markers: true,
      points: heldOutMean(r.evaluations, ctx.tasks),
      ...runStyle(i),
    })),
    legend: ctx.styleLegend.length > 0 ? ctx.styleLegend : [{ label: 'all tasks', color: NEUTRAL }],
    boundaries: ctx.boundaries,
  });
}

function matrixCharts(ctx: Ctx, m: BwtMatrix, i: number): Chart[] {
  const suffix = i === 0 ? '' : '-compare';
  const who = ctx.runs.length > 1 ? ` — ${ctx.runs[i].header.runId}` : '';
  const columns = m.tasks.map((t) => ({ label: t, color: ctx.colors[t] }));
  const bwtValues = m.bwt.flatMap((b) => Object.values(b.values)).filter((v): v is number => v !== null);
  const limit = Math.max(0.05, ...bwtValues.map(Math.abs));
  return [
    heatmap({
      name: `scores-matrix${suffix}`,
      title: `Held-out score after each stage${who}`,
      note: 'P_i,j: row = model after stage i (first row: base), column = task j.',
      rows: m.rows.map((r) => (r.step === null ? `${r.label} (none)` : `${r.label} · step ${r.step}`)),
      columns,
      values: m.rows.map((r) => m.tasks.map((t) => r.scores[t])),
      color: scoreColor,
      format: pct,
      scale: { from: 0, to: 1, fromLabel: '', toLabel: '' },
    }),
    heatmap({
      name: `bwt-matrix${suffix}`,
      title: `Backward transfer vs base${who}`,
      note: 'BWT_j = P_base,j − P_after,j in percentage points; red = below the base (forgotten), blue = above.',
      rows: m.bwt.map((b) => b.label),
      columns,
      values: m.bwt.map((b) => m.tasks.map((t) => b.values[t])),
      color: bwtColor(limit),
      format: pp,
      scale: { from: -limit, to: limit, fromLabel: 'improved', toLabel: 'forgot' },
    }),
  ];
}

function rewardChart(ctx: Ctx): Chart {
  const series = taskLines(ctx, (r, t) => stepSeries(r.metrics, (m) => m.perTask[t]?.rewardMean));
  return lineChart({
    name: 'reward',
    title: 'Mean reward per task',
    note: 'Total reward (GZ eq. 8–9 or OT’s weighted sum, as configured), mean over the step’s samples.',
    yLabel: 'mean reward',
    xDomain: ctx.xDomain,
    series,
    legend: taskLegend(ctx, ctx.tasks),
    boundaries: ctx.boundaries,
    missing: ctx.missing,
  });
}

function componentCharts(ctx: Ctx): Chart[] {
  // A component that is off (OT tags reward by default, the length penalty on verifiable tasks) is null at every step
  // of every run: it gets no chart rather than an empty one.
  const defined = (c: string) =>
    ctx.runs.some((r) =>
      r.metrics.some((m) => Object.values(m.perTask).some((t) => typeof t.components[c] === 'number'))
    );
  const names = componentNames(ctx.runs.flatMap((r) => r.metrics)).filter(defined);
  return names.map((c) => {
    const series = taskLines(ctx, (r, t) => stepSeries(r.metrics, (m) => m.perTask[t]?.components[c]));
    const present = ctx.tasks.filter((t) =>
      ctx.runs.some((r) => r.metrics.some((m) => m.perTask[t]?.components[c] !== undefined))
    );
    return lineChart({
      name: `component-${c}`,
      title: `Reward component: ${c}`,
      note: 'Mean over samples where the component was defined (undefined components are left out, SPEC §2).',
      yLabel: `${c} reward`,
      xDomain: ctx.xDomain,
      series,
      legend: taskLegend(ctx, present),
      boundaries: ctx.boundaries,
      missing: ctx.missing,
    });
  });
}

/** DAPO dynamic sampling per step: groups drawn, those whose rewards differed, those trained on; none when off. */
function dynamicSamplingChart(ctx: Ctx): Chart | null {
  if (!ctx.runs.some((r) => r.metrics.some((m) => m.dynamicSampling))) return null;
  const lines = [
    { label: 'groups drawn', color: NEUTRAL, faint: true, pick: (d: DynamicSampling) => d.groupsDrawn },
    { label: 'groups kept', color: PHASE_COLORS.scoring, faint: false, pick: (d: DynamicSampling) => d.groupsKept },
    {
      label: 'groups trained',
      color: PHASE_COLORS.rollout,
      faint: false,
      pick: (d: DynamicSampling) => d.groupsTrained,
    },
  ];
  const series: LineSeries[] = ctx.runs.flatMap((r, i) =>
    lines.map((l) => ({
      label: `${l.label}${runSuffix(ctx, i)}`,
      color: l.color,
      ...(l.faint ? { faint: true } : {}),
      points: stepSeries(r.metrics, (m) => (m.dynamicSampling ? l.pick(m.dynamicSampling) : undefined)),
      ...runStyle(i),
    }))
  );
  return lineChart({
    name: 'dynamic-sampling',
    title: 'Dynamic sampling (DAPO)',
    note: 'Per step: prompt groups drawn over all batches, those whose rewards were not all equal, and those trained on (at most the batch; fewer when grpo.dynamicSampling.maxBatches was reached).',
    yLabel: 'prompt groups',
    xDomain: ctx.xDomain,
    yZero: true,
    series,
    legend: [...lines.map((l) => ({ label: l.label, color: l.color })), ...ctx.styleLegend],
    boundaries: ctx.boundaries,
    missing: ctx.missing,
  });
}

type DynamicSampling = NonNullable<RunData['metrics'][number]['dynamicSampling']>;

function lengthChart(ctx: Ctx, task: string): Chart | null {
  if (!ctx.runs.some((r) => r.metrics.some((m) => m.perTask[task]))) return null;
  const series: LineSeries[] = ctx.runs.flatMap((r, i) => [
    {
      label: `think content${runSuffix(ctx, i)}`,
      color: ctx.colors[task],
      points: stepSeries(r.metrics, (m) => m.perTask[task]?.thinkTokensMean),
      ...runStyle(i),
    },
    {
      label: `answer content${runSuffix(ctx, i)}`,
      color: NEUTRAL,
      faint: true,
      points: stepSeries(r.metrics, (m) => m.perTask[task]?.answerTokensMean),
      ...runStyle(i),
    },
  ]);
  return lineChart({
    name: `length-${task}`,
    title: `Think vs answer length — ${task}`,
    yLabel: 'mean length (tokens)',
    xDomain: ctx.xDomain,
    yZero: true,
    series,
    legend: [
      { label: 'think content', color: ctx.colors[task] },
      { label: 'answer content', color: NEUTRAL },
      ...ctx.styleLegend,
    ],
    boundaries: ctx.boundaries,
    missing: ctx.missing,
  });
}

function windowChart(ctx: Ctx): Chart {
  return lineChart({
    name: 'window',
    title: 'Response window in force',
    note: 'Maximum response length at each step (GZ §4.1 grows it from 2,048 towards 24,576 tokens).',
    yLabel: 'window (tokens)',
    xDomain: ctx.xDomain,
    yZero: true,
    series: ctx.runs.map((r, i) => ({
      label: `window in force${runSuffix(ctx, i)}`,
      color: NEUTRAL,
      stepped: true,
      points: stepSeries(r.metrics, (m) => m.window),
      ...runStyle(i),
    })),
    legend: ctx.styleLegend.length > 0 ? ctx.styleLegend : [{ label: 'window in force', color: NEUTRAL }],
    boundaries: ctx.boundaries,
    missing: ctx.missing,
  });
}

function taskFractionChart(
  ctx: Ctx,
  name: string,
  title: string,
  what: string,
  pick: (m: RunData['metrics'][number], task: string) => number | null | undefined
): Chart {
  const series = taskLines(ctx, (r, t) => stepSeries(r.metrics, (m) => pick(m, t)));
  return percentLineChart({
    name,
    title,
    yLabel: `${what} (%)`,
    xDomain: ctx.xDomain,
    series,
    legend: taskLegend(ctx, ctx.tasks),
    boundaries: ctx.boundaries,
    missing: ctx.missing,
  });
}

function scalarChart(
  ctx: Ctx,
  name: string,
  title: string,
  yLabel: string,
  pick: (m: RunData['metrics'][number]) => number,
  yFormat: (v: number) => string = formatNumber
): Chart {
  return lineChart({
    name,
    title,
    yLabel,
    xDomain: ctx.xDomain,
    yZero: true,
    yFormat,
    percent: yFormat === pctAxis,
    series: ctx.runs.map((r, i) => ({
      label: `all tasks${runSuffix(ctx, i)}`,
      color: NEUTRAL,
      points: stepSeries(r.metrics, pick),
      ...runStyle(i),
    })),
    legend: ctx.styleLegend.length > 0 ? ctx.styleLegend : [{ label: 'all tasks', color: NEUTRAL }],
    boundaries: ctx.boundaries,
    missing: ctx.missing,
  });
}

function phaseChart(ctx: Ctx, run: RunData, i: number): Chart {
  return stackedBarChart({
    name: i === 0 ? 'phase-time' : 'phase-time-compare',
    title: `Wall time per step by phase${runSuffix(ctx, i)}`,
    yLabel: 'wall time (s)',
    xDomain: ctx.xDomain,
    categories: PHASES.map((p) => ({ label: p, color: PHASE_COLORS[p] })),
    bars: stepPhases(run).map((b) => ({ x: b.step, values: PHASES.map((p) => b.ms[p] / 1000) })),
    boundaries: ctx.boundaries.filter((b) => b.row === i).map((b) => ({ ...b, row: 0 as const })),
  });
}

/** Contiguous ranges of steps without metrics between a run's first and last recorded step. */
export function missingRanges(run: RunData): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let i = 1; i < run.metrics.length; i++) {
    const a = run.metrics[i - 1].step;
    const b = run.metrics[i].step;
    if (b > a + 1) out.push({ from: a + 1, to: b - 1 });
  }
  return out;
}

function headerHtml(runs: RunData[]): string {
  const cards = runs.map((r, i) => {
    const h = r.header;
    const steps = h.totalSteps === null ? `${r.metrics.length}` : `${r.metrics.length} / ${h.totalSteps}`;
    const stages = h.stages.map((s) => `${s.name} ${s.startStep}–${s.endStep - 1}`).join(' → ');
    const status = h.status === 'complete' ? 'ok' : 'warn';
    const style = runs.length > 1 ? `<span class="style">${i === 0 ? 'solid lines' : 'dashed lines'}</span>` : '';
    return (
      `<div class="run-card"><h1>${escapeHtml(h.experiment ?? '(unnamed experiment)')} ${style}</h1><dl>` +
      `<dt>run</dt><dd><code>${escapeHtml(h.runId)}</code></dd>` +
      `<dt>status</dt><dd><span class="status ${status}">${escapeHtml(h.status)}</span></dd>` +
      `<dt>steps</dt><dd>${steps}</dd>` +
      `<dt>config hash</dt><dd><code>${escapeHtml(h.configHash ?? 'unknown')}</code></dd>` +
      (h.createdAt ? `<dt>started</dt><dd>${escapeHtml(h.createdAt)}</dd>` : '') +
      `<dt>stages</dt><dd>${escapeHtml(stages || 'none recorded')}${h.stagesFromPlan ? '' : ' <em>(inferred from metrics)</em>'}</dd>` +
      `<dt>problems</dt><dd>${r.problems.length === 0 ? 'none' : `<a href="#problems">${r.problems.length}</a>`}</dd>` +
      '</dl></div>'
    );
  });
  return `<header>${cards.join('')}</header>`;
}

function summaryHtml(
  runs: RunData[],
  tasks: string[],
  colors: Record<string, string>,
  sums: RunSummary[],
  matrices: BwtMatrix[]
): string {
  const cell = (v: number | null, f: (x: number) => string, cls = '') =>
    v === null ? '<td class="na">—</td>' : `<td class="${cls}">${f(v)}</td>`;
  const bwtCls = (v: number | null) => (v === null ? '' : v > 0.005 ? 'forgot' : v < -0.005 ? 'gained' : '');
  const head = `<tr><th></th>${runs.length > 1 ? '<th>run</th>' : ''}${tasks.map((t) => `<th><span class="dot" style="background:${colors[t]}"></span>${escapeHtml(t)}</th>`).join('')}<th>avg. relative to base</th></tr>`;
  const rows: string[] = [];
  runs.forEach((r, i) => {
    const s = sums[i];
    const runCell = runs.length > 1 ? `<td><code>${escapeHtml(r.header.runId)}</code></td>` : '';
    const rel =
      s.averageRelative === null
        ? '<td class="na">—</td>'
        : `<td rowspan="3">${s.averageRelative.toFixed(3)}×${s.relativeSkipped.length > 0 ? `<br><small>without ${escapeHtml(s.relativeSkipped.join(', '))}</small>` : ''}</td>`;
    rows.push(
      `<tr><th>final score${s.finalStep === null ? '' : ` (step ${s.finalStep})`}</th>${runCell}${tasks.map((t) => cell(s.finalScores[t], pct)).join('')}${rel}</tr>`,
      `<tr><th>BWT (base − final)</th>${runCell}${tasks.map((t) => cell(s.bwt[t], pp, bwtCls(s.bwt[t]))).join('')}${s.averageRelative === null ? '<td class="na">—</td>' : ''}</tr>`,
      `<tr><th>drop from best stage</th>${runCell}${tasks.map((t) => cell(s.dropFromBest[t], pp, bwtCls(s.dropFromBest[t]))).join('')}${s.averageRelative === null ? '<td class="na">—</td>' : ''}</tr>`,
      ...passAtKRows(r.evaluations, matrices[i]).map(
        (p) =>
          `<tr><th>${escapeHtml(p.label)}</th>${runCell}${tasks.map((t) => cell(p.scores[t] ?? null, pct)).join('')}<td></td></tr>`
      )
    );
  });
  const phaseHead = `<tr><th></th>${runs.length > 1 ? '<th>run</th>' : ''}${PHASES.map((p) => `<th><span class="dot" style="background:${PHASE_COLORS[p]}"></span>${p}</th>`).join('')}<th>total</th></tr>`;
  const phaseRows = runs.map((r, i) => {
    const s = sums[i];
    const total = PHASES.reduce((a, p) => a + s.phaseMs[p], 0);
    return `<tr><th>wall time</th>${runs.length > 1 ? `<td><code>${escapeHtml(r.header.runId)}</code></td>` : ''}${PHASES.map((p) => `<td>${formatDuration(s.phaseMs[p], 'spoken')} <small>${total > 0 ? Math.round((100 * s.phaseMs[p]) / total) : 0}%</small></td>`).join('')}<td>${formatDuration(total, 'spoken')}</td></tr>`;
  });
  return (
    '<section class="summary"><h2>Summary</h2>' +
    `<table data-table="summary">${head}${rows.join('')}</table>` +
    `<table data-table="phases">${phaseHead}${phaseRows.join('')}</table>` +
    '<p class="intro">Relative score: mean over tasks of P_final / P_base (OT’s average relative performance). BWT positive = forgotten since the base; drop from best = best score after any stage − score after the last stage (forgetting since the peak); pass@k = share of held-out prompts one of the k evaluation samples solves (the base’s pass@k − its score is what sharpening alone can gain). Wall time sums every recorded step’s phases and the base evaluation.</p></section>'
  );
}

function problemsHtml(runs: RunData[], matrices: BwtMatrix[]): string {
  const items = runs.flatMap((r, i) =>
    [...r.problems, ...matrices[i].problems].map(
      (p) => `<li>${runs.length > 1 ? `<code>${escapeHtml(r.header.runId)}</code>: ` : ''}${escapeHtml(p)}</li>`
    )
  );
  return (
    `<section id="problems"><h2>Problems (${items.length})</h2>` +
    (items.length === 0
      ? '<p class="intro">None: every object read validated, no step is missing.</p>'
      : `<ul class="problems" data-problems="${items.length}">${items.join('')}</ul>`) +
    '</section>'
  );
}

export const PAGE_CSS = `
:root{--fg:#1b1b1b;--muted:#5a5a5a;--line:#d9d9d9;--bg:#fff;--panel:#fafafa}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1680px;padding:20px 28px 40px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;gap:20px;flex-wrap:wrap}
.run-card{flex:1 1 420px;border:1px solid var(--line);border-radius:8px;padding:12px 16px;background:var(--panel)}
.run-card h1{font-size:20px;margin:0 0 8px}
.run-card .style{font-size:12px;font-weight:normal;color:var(--muted);margin-left:8px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}
dt{color:var(--muted)}dd{margin:0}
.status{padding:1px 8px;border-radius:10px;font-weight:600}
.status.ok{background:#d8f0e3;color:#0b5d33}.status.warn{background:#fdebd0;color:#7a4100}
h2{font-size:17px;margin:28px 0 4px;border-bottom:1px solid var(--line);padding-bottom:4px}
.intro{color:var(--muted);margin:4px 0 10px;max-width:1100px}
.grid.more{margin-top:16px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:16px}
figure.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 12px 8px;background:var(--bg)}
figcaption h3{font-size:14px;margin:0}
figcaption .note{margin:2px 0 0;color:var(--muted);font-size:12px}
figure svg{width:100%;height:auto;display:block}
figure svg.heatmap{margin:6px 0}
.grid .tick{font-size:11px;fill:#444}.axis-label{font-size:12px;fill:#333}
.grid line.grid{stroke:#eee}.axis{stroke:#888}.tickmark{stroke:#888}
.stage-line{stroke:#999;stroke-width:1.2;stroke-dasharray:3 3}.stage-line.alt{stroke:#bbb;stroke-dasharray:1 3}
.stage-label{font-size:11px;fill:#333;font-weight:600}.stage-label.alt{font-weight:normal;font-style:italic;fill:#666}
.row-label{font-size:12px;fill:#333}.col-label{font-size:12px;font-weight:600}.cell-text{font-size:12px;font-variant-numeric:tabular-nums}
rect.cell.empty{fill:#f3f3f3;stroke:#ddd}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;margin:6px 0 0;padding:0;font-size:12px}
ul.legend li{white-space:nowrap;display:flex;align-items:center;gap:5px;cursor:pointer;user-select:none}
ul.legend li.off{opacity:.35}
g.series.off{display:none}
table{border-collapse:collapse;margin:8px 0 12px;font-variant-numeric:tabular-nums}
th,td{border:1px solid var(--line);padding:4px 10px;text-align:right}
th{background:var(--panel);font-weight:600}tr th:first-child{text-align:left}
td.na{color:#999;text-align:center}td.forgot{color:#b2182b;font-weight:600}td.gained{color:#2166ac}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:-1px}
ul.problems{color:#7a4100}
rect.missing{fill:#f3e3e3}
.hover-line{stroke:#555;stroke-width:1;pointer-events:none}
.hover-tip{position:absolute;display:none;pointer-events:none;z-index:10;background:#fff;border:1px solid #bbb;border-radius:4px;padding:4px 8px;font-size:12px;box-shadow:0 1px 4px rgba(0,0,0,.15);font-variant-numeric:tabular-nums}
.hover-tip b{display:block;margin-bottom:2px}
.hover-tip span.sw{display:inline-block;width:10px;height:3px;margin-right:6px;vertical-align:middle}
footer{margin-top:32px;color:var(--muted);font-size:12px}
ul.legend li:focus-visible{outline:2px solid #0072B2;outline-offset:2px}
@media print{.hover-tip{display:none!important}figure.chart,table{break-inside:avoid}body{max-width:none;padding:0}}
`;

// Clicking a legend entry hides/shows the series of that name in its chart (a run's entry: all of that run's series).
// Moving over a step chart shows the step and each visible series' value there (text only, never innerHTML).
export const PAGE_SCRIPT = `
document.querySelectorAll('figure.chart ul.legend li').forEach(function (li) {
  var toggle = function () {
    var fig = li.closest('figure');
    var name = li.getAttribute('data-legend');
    var run = li.getAttribute('data-run');
    var off = li.classList.toggle('off');
    li.setAttribute('aria-pressed', String(!off));
    fig.querySelectorAll('g.series').forEach(function (g) {
      var s = g.getAttribute('data-series');
      var hit = run ? s.slice(-(run.length + 3)) === ' (' + run + ')' : s === name || s.indexOf(name + ' (') === 0;
      if (hit) g.classList.toggle('off', off);
    });
  };
  li.addEventListener('click', toggle);
  li.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      toggle();
    }
  });
});
var tip = document.createElement('div');
tip.className = 'hover-tip';
document.body.appendChild(tip);
document.querySelectorAll('figure.chart svg[data-x0]').forEach(function (svg) {
  var d = svg.dataset, x0 = +d.x0, x1 = +d.x1, left = +d.left, width = +d.width, top = +d.top, height = +d.height;
  var line = document.createElementNS('http://www.w3.org/2000/svg', 'line');
  line.setAttribute('class', 'hover-line');
  line.setAttribute('y1', top);
  line.setAttribute('y2', top + height);
  line.style.display = 'none';
  svg.appendChild(line);
  var series = Array.prototype.map.call(svg.querySelectorAll('g.series[data-xy]'), function (g) {
    var pts = g.getAttribute('data-xy') === '' ? [] : g.getAttribute('data-xy').split(';').map(function (p) {
      var xy = p.split(',');
      return [+xy[0], +xy[1]];
    });
    var path = g.querySelector('path');
    var color = path ? path.getAttribute('stroke') : g.getAttribute('fill') || (g.querySelector('g') || g).getAttribute('fill');
    return { g: g, pts: pts, color: color, label: g.getAttribute('data-series') };
  });
  var hide = function () { tip.style.display = 'none'; line.style.display = 'none'; };
  svg.addEventListener('mouseleave', hide);
  svg.addEventListener('mousemove', function (e) {
    var pt = svg.createSVGPoint();
    pt.x = e.clientX;
    pt.y = e.clientY;
    var p = pt.matrixTransform(svg.getScreenCTM().inverse());
    if (p.x < left || p.x > left + width) return hide();
    var step = Math.round(x0 + ((p.x - left) / width) * (x1 - x0));
    var tol = Math.max(0.5, (x1 - x0) / 80);
    tip.textContent = '';
    var head = document.createElement('b');
    head.textContent = 'step ' + step;
    tip.appendChild(head);
    var rows = 0;
    series.forEach(function (s) {
      if (s.g.classList.contains('off')) return;
      var best = null;
      s.pts.forEach(function (q) { if (Math.abs(q[0] - step) <= tol && (!best || Math.abs(q[0] - step) < Math.abs(best[0] - step))) best = q; });
      if (!best) return;
      var row = document.createElement('div');
      var sw = document.createElement('span');
      sw.className = 'sw';
      sw.style.background = s.color;
      row.appendChild(sw);
      var v = d.percent ? (best[1] * 100).toFixed(1) + '%' : String(+best[1].toPrecision(3));
      row.appendChild(document.createTextNode(s.label + ': ' + v + (best[0] !== step ? ' (step ' + best[0] + ')' : '')));
      tip.appendChild(row);
      rows++;
    });
    if (rows === 0) return hide();
    var x = left + ((step - x0) / (x1 - x0)) * width;
    line.setAttribute('x1', x);
    line.setAttribute('x2', x);
    line.style.display = '';
    tip.style.display = 'block';
    tip.style.left = Math.min(e.pageX + 14, document.documentElement.scrollWidth - tip.offsetWidth - 8) + 'px';
    tip.style.top = e.pageY + 14 + 'px';
  });
});
`;
