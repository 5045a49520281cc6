/**
 * The sweep report: one self-contained HTML page for an ablation. The comparison table in the layout of Omni-Think
 * Table 1 (a row per variant: final held-out score per domain, average relative score, BWT per domain, wall time;
 * mean ± sample std over seeds), then the curves of every run overlaid, coloured by variant, one line per seed.
 */
import { NEUTRAL, taskColors } from './colors.ts';
import { heldOutMean, PAGE_CSS, PAGE_SCRIPT } from './render.ts';
import { evalSeries, stepSeries } from './shape.ts';
import { type Chart, escapeHtml, type LegendItem, type LineSeries, lineChart, percentLineChart } from './svg.ts';
import type { Stat, SweepComparison, SweepRunData } from './sweep.ts';

export interface RenderedSweep {
  html: string;
  /** data-chart names, in page order. */
  charts: string[];
  runs: number;
}

/** `mean ±spread` in the given scale; a dash when no run of the variant has a value. */
function cell(s: Stat, scale: number, digits: number, signed = false): string {
  if (s.mean === null) return '<td class="na">–</td>';
  const v = s.mean * scale;
  const text = `${signed && v > 0 ? '+' : ''}${v.toFixed(digits)}`;
  const spread = s.spread === null ? '' : ` <span class="spread">±${(s.spread * scale).toFixed(digits)}</span>`;
  return `<td>${text}${spread}</td>`;
}

function tableHtml(c: SweepComparison): string {
  const head =
    '<tr><th rowspan="2">variant</th><th rowspan="2">seeds</th>' +
    `<th colspan="${c.tasks.length}">held-out score after training (%)</th><th rowspan="2">avg. relative score</th>` +
    `<th colspan="${c.tasks.length}">BWT (pp, + = forgotten)</th><th rowspan="2">wall time (min)</th></tr>` +
    `<tr>${[...c.tasks, ...c.tasks].map((t) => `<th>${escapeHtml(t)}</th>`).join('')}</tr>`;
  const base = c.variants[0];
  const baseRow =
    base === undefined
      ? ''
      : `<tr class="base"><th>base model</th><td></td>${c.tasks.map((t) => cell(base.base[t], 100, 1)).join('')}` +
        `<td>1.00</td>${c.tasks.map(() => '<td></td>').join('')}<td></td></tr>`;
  const rows = c.variants.map(
    (v) =>
      `<tr data-variant="${escapeHtml(v.variant)}"><th>${escapeHtml(v.variant)}</th><td>${v.seeds.join(', ')}</td>` +
      c.tasks.map((t) => cell(v.final[t], 100, 1)).join('') +
      cell(v.averageRelative, 1, 2) +
      c.tasks.map((t) => cell(v.bwt[t], 100, 1, true)).join('') +
      cell(v.wallMs, 1 / 60_000, 1) +
      '</tr>'
  );
  return `<table class="sweep" data-variants="${c.variants.length}"><thead>${head}</thead><tbody>${baseRow}${rows.join('')}</tbody></table>`;
}

interface Ctx {
  runs: readonly SweepRunData[];
  colors: Record<string, string>;
  legend: LegendItem[];
  xDomain: [number, number];
}

/** One line per run; its label `<variant> (s<seed>)` so the variant's legend entry toggles all of its seeds. */
function perRun(ctx: Ctx, points: (r: SweepRunData) => LineSeries['points'], markers: boolean): LineSeries[] {
  const firstSeed = new Map<string, number>();
  for (const r of ctx.runs) if (!firstSeed.has(r.variant)) firstSeed.set(r.variant, r.seed);
  return ctx.runs.map((r) => ({
    label: `${r.variant} (s${r.seed})`,
    color: ctx.colors[r.variant],
    points: points(r),
    markers,
    ...(firstSeed.get(r.variant) === r.seed ? {} : { dashed: true }),
  }));
}

function heldOutCharts(ctx: Ctx, tasks: string[]): Chart[] {
  const percentChart = (name: string, title: string, note: string, series: LineSeries[]) =>
    percentLineChart({
      name,
      title,
      note,
      yLabel: 'held-out score (%)',
      xDomain: ctx.xDomain,
      series,
      legend: ctx.legend,
    });
  return [
    percentChart(
      'sweep-heldout-mean',
      'Mean held-out score over domains',
      'Every run of every variant; a variant’s later seeds dashed.',
      perRun(ctx, (r) => heldOutMean(r.data.evaluations, tasks), true)
    ),
    ...tasks.map((t) =>
      percentChart(
        `sweep-heldout-${t}`,
        `Held-out score: ${t}`,
        'Where a variant forgets this domain shows as a drop after its stage.',
        perRun(ctx, (r) => evalSeries(r.data.evaluations, (e) => (t in e.scores ? e.scores[t] : undefined)), true)
      )
    ),
  ];
}

function rewardChart(ctx: Ctx): Chart {
  return lineChart({
    name: 'sweep-reward',
    title: 'Mean training reward',
    note: 'Mean reward over the step’s samples (all tasks of the stage).',
    yLabel: 'mean reward',
    xDomain: ctx.xDomain,
    series: perRun(ctx, (r) => stepSeries(r.data.metrics, (m) => m.rewardMean), false),
    legend: ctx.legend,
  });
}

export function renderSweepReport(
  sweepId: string,
  comparison: SweepComparison,
  runs: readonly SweepRunData[],
  options: { generatedAt?: string } = {}
): RenderedSweep {
  const variants = comparison.variants.map((v) => v.variant);
  const colors = taskColors(variants);
  const lastStep = Math.max(
    1,
    ...runs.flatMap((r) => [r.data.header.totalSteps ?? 0, r.data.evaluations.at(-1)?.step ?? 0])
  );
  const legend: LegendItem[] = [
    ...variants.map((v) => ({ label: v, color: colors[v] })),
    ...(runs.some((r, i) => runs.findIndex((x) => x.variant === r.variant) !== i)
      ? [{ label: 'later seeds dashed', color: NEUTRAL, dashed: true }]
      : []),
  ];
  const ctx: Ctx = { runs, colors, legend, xDomain: [0, lastStep] };
  const charts = [...heldOutCharts(ctx, comparison.tasks), rewardChart(ctx)];
  const body = [
    `<header><div class="run-card"><h1>sweep ${escapeHtml(sweepId)}</h1><dl>` +
      `<dt>variants</dt><dd>${variants.map(escapeHtml).join(', ')}</dd>` +
      `<dt>runs</dt><dd>${runs.map((r) => `<code>${escapeHtml(r.runId)}</code>`).join(' ')}</dd></dl></div></header>`,
    '<section><h2>Comparison</h2><p class="intro">Final held-out score per domain, average relative score ' +
      '(mean over domains of final / base, OT), backward transfer after the last stage (base − final, in points; ' +
      'positive = forgotten) and wall time; mean ± sample standard deviation over seeds.</p>' +
      `${tableHtml(comparison)}</section>`,
    '<section><h2>Curves</h2><p class="intro">Held-out scores and training reward of every run, overlaid.</p>' +
      `<div class="grid">${charts.map((c) => c.html).join('')}</div></section>`,
    `<footer>omni-zero sweep report.${options.generatedAt ? ` Generated ${escapeHtml(options.generatedAt)}.` : ''}</footer>`,
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>sweep ${escapeHtml(sweepId)} — omni-zero report</title>
<style>${PAGE_CSS}.spread{color:var(--muted);font-size:12px}tr.base{color:var(--muted)}</style></head>
<body>
${body}
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
  return { html, charts: charts.map((c) => c.name), runs: runs.length };
}
