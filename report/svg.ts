/**
 * Charts as inline SVG strings (no chart library: the page must work offline and stay one file, and what is drawn
 * here is a handful of lines, bars and cells). Every chart is a <figure data-chart=NAME data-points=N> with axes,
 * units and a legend, so a test can check it drew data and a reader can tell what it shows.
 */
import { drawnPoints, type Point } from './shape.ts';

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const W = 600;
const H = 280;
const M = { top: 34, right: 16, bottom: 42, left: 62 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

export interface LineSeries {
  label: string;
  color: string;
  points: Point[];
  /** Dashed: the compared run (solid is the primary). */
  dashed?: boolean;
  /** Draw a dot at every point (sparse series such as evaluations). */
  markers?: boolean;
  /** Hold each value until the next point (the window in force is a step function). */
  stepped?: boolean;
  /** Lighter, thinner line (a secondary quantity drawn next to the main one). */
  faint?: boolean;
}

export interface LegendItem {
  label: string;
  color: string;
  dashed?: boolean;
  /** 'line' (default) or 'box' (a filled swatch: bars, cells). */
  kind?: 'line' | 'box';
  /** In comparison mode: this entry stands for every series of that run (labels ending in ` (<run>)`). */
  run?: string;
}

export interface Boundary {
  step: number;
  label: string;
  /** 0 = the primary run's stage names (solid line), 1 = the compared run's (dashed, second label row). */
  row: 0 | 1;
  /** Draw the vertical line (false for a stage that starts at the left edge). */
  line: boolean;
}

export interface MissingRange {
  from: number;
  to: number;
  /** Whose steps are missing (shown in the shading's tooltip). */
  run: string;
}

export interface LineChartSpec {
  name: string;
  title: string;
  /** One sentence under the title: what to look for. */
  note?: string;
  yLabel: string;
  xLabel?: string;
  xDomain: [number, number];
  series: LineSeries[];
  legend: LegendItem[];
  boundaries?: Boundary[];
  /** Step ranges with no metrics (inclusive), shaded so a gap reads as missing data, not as an untrained task. */
  missing?: MissingRange[];
  /** Fixed y range (e.g. [0, 1] for fractions); otherwise from the data. */
  yDomain?: [number, number];
  /** Include 0 in the automatic y range. */
  yZero?: boolean;
  yFormat?: (v: number) => string;
  /** Values are fractions: the hover readout shows them as percentages. */
  percent?: boolean;
}

export interface Chart {
  name: string;
  html: string;
  points: number;
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  // Multiples of the step rather than a running sum: no drift, and 0 stays exactly 0 (not -6.9e-18).
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++)
    out.push(Number((k * step).toPrecision(12)));
  return out;
}

export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 100) return String(Math.round(v));
  if (a >= 0.01) return String(+v.toPrecision(3));
  if (a >= 1e-4) return String(+v.toPrecision(2));
  return v.toExponential(1);
}

function yRange(spec: LineChartSpec): [number, number] {
  if (spec.yDomain) return spec.yDomain;
  const ys = spec.series.flatMap((s) => s.points.map((p) => p.y)).filter((y): y is number => y !== null);
  if (spec.yZero) ys.push(0);
  if (ys.length === 0) return [0, 1];
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (hi === lo) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  // Snap both ends outwards to the tick step, so the top and bottom grid lines are labelled.
  const ticks = niceTicks(lo, hi);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : (hi - lo) / 5;
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

const f1 = (v: number) => v.toFixed(1);

function legendHtml(items: LegendItem[]): string {
  const li = items.map((i) => {
    const sw =
      i.kind === 'box'
        ? `<svg width="14" height="12" aria-hidden="true"><rect x="1" y="1" width="12" height="10" fill="${i.color}"/></svg>`
        : `<svg width="26" height="12" aria-hidden="true"><line x1="1" y1="6" x2="25" y2="6" stroke="${i.color}" stroke-width="2.5"${i.dashed ? ' stroke-dasharray="5 3"' : ''}/></svg>`;
    const run = i.run === undefined ? '' : ` data-run="${escapeHtml(i.run)}"`;
    return `<li data-legend="${escapeHtml(i.label)}"${run} tabindex="0" role="button" aria-pressed="true" title="show / hide">${sw}${escapeHtml(i.label)}</li>`;
  });
  return `<ul class="legend">${li.join('')}</ul>`;
}

function frame(spec: { name: string; title: string; note?: string }, svg: string, legend: string, points: number) {
  const note = spec.note ? `<p class="note">${escapeHtml(spec.note)}</p>` : '';
  return (
    `<figure class="chart" data-chart="${escapeHtml(spec.name)}" data-points="${points}">` +
    `<figcaption><h3>${escapeHtml(spec.title)}</h3>${note}</figcaption>${svg}${legend}</figure>`
  );
}

function axes(
  xDomain: [number, number],
  yDomain: [number, number],
  xLabel: string,
  yLabel: string,
  yFormat: (v: number) => string,
  title: string,
  xTickDomain: [number, number] = xDomain
) {
  const sx = (x: number) => M.left + ((x - xDomain[0]) / (xDomain[1] - xDomain[0] || 1)) * PW;
  const sy = (y: number) => M.top + PH - ((y - yDomain[0]) / (yDomain[1] - yDomain[0] || 1)) * PH;
  const parts: string[] = [];
  for (const t of niceTicks(yDomain[0], yDomain[1])) {
    if (t < yDomain[0] || t > yDomain[1]) continue;
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${M.left + PW}" y1="${f1(sy(t))}" y2="${f1(sy(t))}"/>` +
        `<text class="tick" x="${M.left - 6}" y="${f1(sy(t) + 4)}" text-anchor="end">${escapeHtml(yFormat(t))}</text>`
    );
  }
  for (const t of niceTicks(xTickDomain[0], xTickDomain[1], 8)) {
    if (t < xDomain[0] || t > xDomain[1] || !Number.isInteger(t)) continue;
    parts.push(
      `<line class="tickmark" x1="${f1(sx(t))}" x2="${f1(sx(t))}" y1="${M.top + PH}" y2="${M.top + PH + 4}"/>` +
        `<text class="tick" x="${f1(sx(t))}" y="${M.top + PH + 16}" text-anchor="middle">${t}</text>`
    );
  }
  parts.push(
    `<line class="axis" x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}"/>`,
    `<line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + PH}"/>`,
    `<text class="axis-label" x="${M.left + PW / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text>`,
    `<text class="axis-label" transform="translate(14 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`
  );
  const open = `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}" xmlns="http://www.w3.org/2000/svg">`;
  return { sx, sy, open, grid: parts.join('') };
}

function boundariesSvg(bs: Boundary[], sx: (x: number) => number): string {
  return bs
    .map((b) => {
      const x = sx(b.step);
      const line = b.line
        ? `<line class="stage-line${b.row === 1 ? ' alt' : ''}" x1="${f1(x)}" x2="${f1(x)}" y1="${M.top - (b.row === 1 ? 4 : 18)}" y2="${M.top + PH}"/>`
        : '';
      const y = b.row === 0 ? M.top - 20 : M.top - 7;
      return `${line}<text class="stage-label${b.row === 1 ? ' alt' : ''}" x="${f1(x + 3)}" y="${y}">${escapeHtml(b.label)}</text>`;
    })
    .join('');
}

/** `x,y;x,y…` of the drawn points (4 significant digits), read by the page's hover readout. */
function hoverData(points: Point[]): string {
  return points
    .filter((p) => p.y !== null)
    .map((p) => `${p.x},${+(p.y as number).toPrecision(4)}`)
    .join(';');
}

function missingSvg(ranges: MissingRange[], sx: (x: number) => number): string {
  return ranges
    .map((r) => {
      const x0 = sx(r.from - 0.5);
      const x1 = sx(r.to + 0.5);
      const what = r.from === r.to ? `step ${r.from}` : `steps ${r.from}–${r.to}`;
      return `<rect class="missing" x="${f1(x0)}" y="${M.top}" width="${f1(Math.max(1.5, x1 - x0))}" height="${PH}"><title>${escapeHtml(`no metrics for ${what} (${r.run})`)}</title></rect>`;
    })
    .join('');
}

/** The plot geometry and x range, for the hover readout to map a mouse position to a step. */
function hoverAttrs(xDomain: [number, number], percent = false): string {
  const pct = percent ? ' data-percent="1"' : '';
  return ` data-x0="${xDomain[0]}" data-x1="${xDomain[1]}" data-left="${M.left}" data-width="${PW}" data-top="${M.top}" data-height="${PH}"${pct}`;
}

/** Splits at gaps; a lone point between gaps becomes a dot so it is still seen. */
function seriesSvg(s: LineSeries, sx: (x: number) => number, sy: (y: number) => number): string {
  const segments: { x: number; y: number }[][] = [[]];
  for (const p of s.points) {
    if (p.y === null) {
      if (segments.at(-1)!.length > 0) segments.push([]);
    } else segments.at(-1)!.push({ x: sx(p.x), y: sy(p.y) });
  }
  const d: string[] = [];
  const dots: string[] = [];
  for (const seg of segments) {
    if (seg.length === 0) continue;
    if (seg.length === 1 && !s.markers) dots.push(`<circle cx="${f1(seg[0].x)}" cy="${f1(seg[0].y)}" r="2.2"/>`);
    let path = `M${f1(seg[0].x)} ${f1(seg[0].y)}`;
    for (let i = 1; i < seg.length; i++) {
      path += s.stepped ? `H${f1(seg[i].x)}V${f1(seg[i].y)}` : `L${f1(seg[i].x)} ${f1(seg[i].y)}`;
    }
    if (seg.length > 1) d.push(path);
    if (s.markers) for (const p of seg) dots.push(`<circle cx="${f1(p.x)}" cy="${f1(p.y)}" r="3"/>`);
  }
  const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
  const width = s.faint ? 1.4 : 2;
  const opacity = s.faint ? ' stroke-opacity="0.75"' : '';
  const title = `<title>${escapeHtml(s.label)}</title>`;
  return (
    `<g class="series" data-series="${escapeHtml(s.label)}" data-xy="${hoverData(s.points)}">${title}` +
    (d.length > 0
      ? `<path d="${d.join('')}" fill="none" stroke="${s.color}" stroke-width="${width}"${dash}${opacity} stroke-linejoin="round"/>`
      : '') +
    (dots.length > 0 ? `<g fill="${s.color}"${s.dashed ? ' fill-opacity="0.55"' : ''}>${dots.join('')}</g>` : '') +
    '</g>'
  );
}

/** A y axis label in whole percent. */
export const pctAxis = (v: number) => `${Math.round(v * 100)}%`;

/** A line chart of fractions on a 0–100 % axis (held-out scores, accuracies): the hover readout shows percentages. */
export function percentLineChart(spec: Omit<LineChartSpec, 'yDomain' | 'yFormat' | 'percent'>): Chart {
  return lineChart({ ...spec, yDomain: [0, 1], yFormat: pctAxis, percent: true });
}

export function lineChart(spec: LineChartSpec): Chart {
  const yDomain = yRange(spec);
  const yFormat = spec.yFormat ?? formatNumber;
  const { sx, sy, open, grid } = axes(spec.xDomain, yDomain, spec.xLabel ?? 'step', spec.yLabel, yFormat, spec.title);
  const body = spec.series.map((s) => seriesSvg(s, sx, sy)).join('');
  const points = spec.series.reduce((n, s) => n + drawnPoints(s.points), 0);
  const svg = `${open.replace('<svg ', `<svg${hoverAttrs(spec.xDomain, spec.percent)} `)}${grid}${missingSvg(spec.missing ?? [], sx)}${boundariesSvg(spec.boundaries ?? [], sx)}${body}</svg>`;
  return { name: spec.name, html: frame(spec, svg, legendHtml(spec.legend), points), points };
}

export interface StackedBarSpec {
  name: string;
  title: string;
  note?: string;
  yLabel: string;
  xDomain: [number, number];
  categories: { label: string; color: string }[];
  /** One bar per entry: its x (step) and one value per category (same order), ≥ 0. */
  bars: { x: number; values: number[] }[];
  boundaries?: Boundary[];
  yFormat?: (v: number) => string;
}

export function stackedBarChart(spec: StackedBarSpec): Chart {
  const top = Math.max(0, ...spec.bars.map((b) => b.values.reduce((a, v) => a + v, 0)));
  const ticks = niceTicks(0, top || 1);
  const tickStep = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  const yDomain: [number, number] = [0, ticks.at(-1)! < (top || 1) ? ticks.at(-1)! + tickStep : ticks.at(-1)!];
  // Bars are centred on their step, so the axis runs half a step past each end; ticks stay those of the line charts.
  const { sx, sy, open, grid } = axes(
    [spec.xDomain[0] - 0.5, spec.xDomain[1] + 0.5],
    yDomain,
    'step',
    spec.yLabel,
    spec.yFormat ?? formatNumber,
    spec.title,
    spec.xDomain
  );
  const bw = Math.max(1, (PW / (spec.xDomain[1] - spec.xDomain[0] + 1)) * 0.85);
  const groups = spec.categories.map(() => [] as string[]);
  for (const b of spec.bars) {
    let acc = 0;
    b.values.forEach((v, i) => {
      if (!(v > 0)) return;
      const y0 = sy(acc);
      acc += v;
      const y1 = sy(acc);
      groups[i].push(`<rect x="${f1(sx(b.x) - bw / 2)}" y="${f1(y1)}" width="${f1(bw)}" height="${f1(y0 - y1)}"/>`);
    });
  }
  const body = spec.categories
    .map(
      (c, i) =>
        `<g class="series" data-series="${escapeHtml(c.label)}" data-xy="${hoverData(spec.bars.map((b) => ({ x: b.x, y: b.values[i] })))}" fill="${c.color}">${groups[i].join('')}</g>`
    )
    .join('');
  const svg = `${open.replace('<svg ', `<svg${hoverAttrs([spec.xDomain[0] - 0.5, spec.xDomain[1] + 0.5])} `)}${grid}${boundariesSvg(spec.boundaries ?? [], sx)}${body}</svg>`;
  const legend = legendHtml(spec.categories.map((c) => ({ ...c, kind: 'box' as const })));
  return { name: spec.name, html: frame(spec, svg, legend, spec.bars.length), points: spec.bars.length };
}

export interface HeatmapSpec {
  name: string;
  title: string;
  note?: string;
  rows: string[];
  columns: { label: string; color: string }[];
  values: (number | null)[][];
  /** Fill colour of a value. */
  color: (v: number) => string;
  format: (v: number) => string;
  /** Colour scale shown under the map: its ends and what they mean. */
  scale: { from: number; to: number; fromLabel: string; toLabel: string; mid?: number };
}

/** Black or white text, whichever reads on the fill (WCAG relative luminance). */
export function textOn(hex: string): string {
  const c = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const lin = c.map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  return lum > 0.18 ? '#111' : '#fff';
}

export function heatmap(spec: HeatmapSpec): Chart {
  const cw = 96;
  const ch = 34;
  const left = Math.max(90, 7 * Math.max(...spec.rows.map((r) => r.length)) + 18);
  const topPad = 30;
  const width = left + cw * spec.columns.length + 12;
  const height = topPad + ch * spec.rows.length + 56;
  const parts: string[] = [];
  spec.columns.forEach((c, j) => {
    parts.push(
      `<text class="col-label" x="${left + cw * j + cw / 2}" y="${topPad - 10}" text-anchor="middle" fill="${c.color}">${escapeHtml(c.label)}</text>`
    );
  });
  let points = 0;
  spec.rows.forEach((r, i) => {
    const y = topPad + ch * i;
    parts.push(
      `<text class="row-label" x="${left - 8}" y="${y + ch / 2 + 4}" text-anchor="end">${escapeHtml(r)}</text>`
    );
    spec.columns.forEach((c, j) => {
      const v = spec.values[i]?.[j] ?? null;
      const x = left + cw * j;
      if (v === null) {
        parts.push(
          `<rect class="cell empty" x="${x + 1}" y="${y + 1}" width="${cw - 2}" height="${ch - 2}"><title>${escapeHtml(`${r}, ${c.label}: no score`)}</title></rect>` +
            `<text class="cell-text" x="${x + cw / 2}" y="${y + ch / 2 + 4}" text-anchor="middle" fill="#555">—</text>`
        );
        return;
      }
      points++;
      const fill = spec.color(v);
      parts.push(
        `<rect class="cell" x="${x + 1}" y="${y + 1}" width="${cw - 2}" height="${ch - 2}" fill="${fill}"><title>${escapeHtml(`${r}, ${c.label}: ${spec.format(v)}`)}</title></rect>` +
          `<text class="cell-text" x="${x + cw / 2}" y="${y + ch / 2 + 4}" text-anchor="middle" fill="${textOn(fill)}">${escapeHtml(spec.format(v))}</text>`
      );
    });
  });
  // Colour scale: a gradient of 10 steps between the ends, labelled.
  const sy = topPad + ch * spec.rows.length + 14;
  const sw = Math.min(cw * spec.columns.length, 300);
  for (let k = 0; k < 10; k++) {
    const v = spec.scale.from + ((spec.scale.to - spec.scale.from) * (k + 0.5)) / 10;
    parts.push(
      `<rect x="${f1(left + (sw / 10) * k)}" y="${sy}" width="${f1(sw / 10 + 0.5)}" height="10" fill="${spec.color(v)}"/>`
    );
  }
  parts.push(
    `<text class="tick" x="${left}" y="${sy + 24}">${escapeHtml(`${spec.format(spec.scale.from)} ${spec.scale.fromLabel}`)}</text>`,
    `<text class="tick" x="${left + sw}" y="${sy + 24}" text-anchor="end">${escapeHtml(`${spec.format(spec.scale.to)} ${spec.scale.toLabel}`)}</text>`
  );
  const svg = `<svg class="heatmap" viewBox="0 0 ${width} ${height}" style="max-width:${width}px" role="img" aria-label="${escapeHtml(spec.title)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
  return { name: spec.name, html: frame(spec, svg, '', points), points };
}
