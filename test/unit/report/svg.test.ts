import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  escapeHtml,
  formatNumber,
  heatmap,
  lineChart,
  niceTicks,
  stackedBarChart,
  textOn,
} from '../../../report/svg.ts';

const pathsOf = (html: string) => [...html.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);

test('niceTicks: round steps covering the range, exact zero', () => {
  assert.deepEqual(niceTicks(0, 160, 8), [0, 20, 40, 60, 80, 100, 120, 140, 160]);
  assert.deepEqual(niceTicks(-0.085, 0.005), [-0.08, -0.06, -0.04, -0.02, 0]);
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 3), [3]);
});

test('formatNumber keeps axis labels short', () => {
  assert.equal(formatNumber(16384), '16.4k');
  assert.equal(formatNumber(0.004), '0.004');
  assert.equal(formatNumber(2.5e-5), '2.5e-5');
  assert.equal(formatNumber(0), '0');
});

test('a gap splits the line into separate subpaths and a lone point becomes a dot', () => {
  const chart = lineChart({
    name: 'x',
    title: 'X',
    yLabel: 'y',
    xDomain: [0, 10],
    legend: [{ label: 'a', color: '#000000' }],
    series: [
      {
        label: 'a',
        color: '#000000',
        points: [
          { x: 0, y: 1 },
          { x: 1, y: 2 },
          { x: 2, y: null },
          { x: 3, y: 3 },
          { x: 4, y: 4 },
          { x: 5, y: null },
          { x: 6, y: 1 },
        ],
      },
    ],
  });
  assert.equal(chart.points, 5);
  assert.match(chart.html, /data-chart="x" data-points="5"/);
  const [d] = pathsOf(chart.html);
  // Two segments of two points: two M commands, two L commands; the point at x=6 is a circle.
  assert.equal(d.match(/M/g)?.length, 2);
  assert.equal(d.match(/L/g)?.length, 2);
  assert.equal(chart.html.match(/<circle /g)?.length, 1);
  // The hover readout gets only drawn points.
  assert.match(chart.html, /data-xy="0,1;1,2;3,3;4,4;6,1"/);
});

test('x positions: step 40 of 0..160 is a quarter of the plot width from its left edge', () => {
  const chart = lineChart({
    name: 'b',
    title: 'B',
    yLabel: 'y',
    xDomain: [0, 160],
    legend: [],
    series: [],
    boundaries: [
      { step: 0, label: 'code', row: 0, line: false },
      { step: 40, label: 'math', row: 0, line: true },
    ],
  });
  // plot from x=62 over 600 − 62 − 16 = 522 px: 62 + 522 · 40/160 = 192.5
  assert.match(chart.html, /<line class="stage-line" x1="192\.5" x2="192\.5"/);
  assert.equal(chart.html.match(/class="stage-line/g)?.length, 1);
  assert.match(chart.html, /<text class="stage-label" x="65\.0"[^>]*>code<\/text>/);
  assert.equal(chart.points, 0);
});

test('stacked bars: one rect per positive phase value, points = bars', () => {
  const chart = stackedBarChart({
    name: 's',
    title: 'S',
    yLabel: 's',
    xDomain: [0, 3],
    categories: [
      { label: 'a', color: '#111111' },
      { label: 'b', color: '#222222' },
    ],
    bars: [
      { x: 0, values: [1, 2] },
      { x: 1, values: [3, 0] },
    ],
  });
  assert.equal(chart.points, 2);
  assert.equal(chart.html.match(/<rect /g)?.length, 3 + 2 /* legend swatches */);
});

test('heatmap: a cell per value, null cells drawn empty and not counted', () => {
  const chart = heatmap({
    name: 'h',
    title: 'H',
    rows: ['r1', 'r2'],
    columns: [
      { label: 'a', color: '#000000' },
      { label: 'b', color: '#000000' },
    ],
    values: [
      [0.5, null],
      [0.25, 1],
    ],
    color: () => '#ffffff',
    format: (v) => v.toFixed(2),
    scale: { from: 0, to: 1, fromLabel: '', toLabel: '' },
  });
  assert.equal(chart.points, 3);
  assert.equal(chart.html.match(/class="cell"/g)?.length, 3);
  assert.equal(chart.html.match(/class="cell empty"/g)?.length, 1);
  assert.match(chart.html, />0\.25</);
});

test('text contrast and escaping', () => {
  assert.equal(textOn('#ffffff'), '#111');
  assert.equal(textOn('#440154'), '#fff');
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
