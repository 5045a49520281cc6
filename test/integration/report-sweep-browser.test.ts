/**
 * `omni-zero report SWEEP` in a real browser (Debian's headless Chromium): the sweep's closing activity writes its
 * comparison over four fixture runs (curriculum and reverse, two seeds each), the report command finds it by the
 * sweep id and renders the Table 1 layout and the overlaid curves; offline, no console errors, legend toggles work.
 * Saves test-artifacts/report-sweep.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { compareSweepRuns } from '../../activities/sweep.ts';
import { writeReport } from '../../cli/commands/report.ts';
import { ROOT } from '../../infra/paths.mjs';
import { writeFixtureRun } from '../fixtures/report/generate-run.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-report-sweep-'));
let browser: Browser;
let page = '';

before(async () => {
  const storage = `file://${dir}/runs`;
  const runs = [];
  for (const [variant, order] of [
    ['curriculum', 'forward'],
    ['reverse', 'reverse'],
  ] as const) {
    for (const seed of [7, 11]) {
      const runId = `sw-${variant}-s${seed}`;
      await writeFixtureRun(storage, { runId, order, seed });
      runs.push({ variant, seed, runId, storage, wallMs: 60_000 * (order === 'forward' ? 10 : 12) + seed * 1000 });
    }
  }
  await compareSweepRuns({ storage, sweepId: 'sw', runs });
  const result = await writeReport('sw', { storage, out: path.join(dir, 'sweep.html') });
  assert.deepEqual({ charts: result.charts, runs: result.runs }, { charts: 14, runs: 4 });
  page = result.out;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('sweep page: offline, no console errors, the comparison table and every overlaid chart drawn', async () => {
  const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  p.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
  });
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('request', (r) => requests.push(r.url()));
  try {
    await p.goto(pathToFileURL(page).href, { waitUntil: 'load' });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [pathToFileURL(page).href]);
    // Header rows, the base row, one row per variant.
    const rows = await p.$$eval('table.sweep tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th,td')].map((c) => (c.textContent ?? '').trim()))
    );
    assert.deepEqual(
      rows.map((r) => r[0]),
      ['base model', 'curriculum', 'reverse']
    );
    assert.equal(rows[1][1], '7, 11');
    // 4 domains, avg rel, 4 BWT, wall: mean ± spread over the two seeds (wall 10.1 ± 0.1 … min for curriculum).
    assert.equal(rows[1].length, 2 + 4 + 1 + 4 + 1);
    assert.match(rows[1].at(-1)!, /^10\.2 ±0\.0$/);
    assert.match(rows[2].at(-1)!, /^12\.2 ±0\.0$/);
    for (const cell of rows[1].slice(2)) assert.match(cell, /^[+-]?\d+\.\d+ ±\d+\.\d+$/);
    // The reverse order forgets qa more (its fixture's collapse): a larger BWT on qa than the curriculum's.
    const bwtQa = (r: string[]) => Number.parseFloat(r[2 + 4 + 1 + 2]);
    assert.ok(bwtQa(rows[2]) > bwtQa(rows[1]), `BWT qa: reverse ${rows[2][9]} vs curriculum ${rows[1][9]}`);

    // Think/answer length ends: a row per variant and task, four token cells and two reward cells, each ± spread.
    const lengthRows = await p.$$eval('table.lengths tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th,td')].map((c) => (c.textContent ?? '').trim()))
    );
    assert.deepEqual(
      lengthRows.map((r) => r[0]),
      ['curriculum', 'reverse'].flatMap((v) => ['code', 'math', 'qa', 'writing'].map((t) => `${v} / ${t}`))
    );
    for (const r of lengthRows) {
      assert.equal(r.length, 7);
      for (const cell of r.slice(1)) assert.match(cell, /^-?\d+\.\d+ ±\d+\.\d+$/);
    }

    const charts = await p.$$eval('[data-chart]', (els) =>
      els.map((el) => ({
        name: el.getAttribute('data-chart'),
        lines: el.querySelectorAll('g.series path').length,
        width: el.getBoundingClientRect().width,
      }))
    );
    assert.deepEqual(
      charts.map((c) => c.name),
      [
        'sweep-heldout-mean',
        'sweep-heldout-code',
        'sweep-heldout-math',
        'sweep-heldout-qa',
        'sweep-heldout-writing',
        'sweep-reward',
        ...['code', 'math', 'qa', 'writing'].flatMap((t) => [`sweep-answer-tokens-${t}`, `sweep-think-tokens-${t}`]),
      ]
    );
    for (const c of charts) {
      assert.ok(c.lines >= 4, `${c.name}: ${c.lines} lines for 4 runs`);
      assert.ok(c.width > 300, `${c.name}: ${c.width}px`);
    }
    // A variant's legend entry hides every seed of it, and only those.
    const reverse = p.locator('[data-chart="sweep-reward"] g.series[data-series^="reverse ("] > path');
    const curriculum = p.locator('[data-chart="sweep-reward"] g.series[data-series^="curriculum ("] > path');
    assert.equal(await reverse.count(), 2);
    await p.locator('[data-chart="sweep-reward"] ul.legend li[data-legend="reverse"]').click();
    for (const i of [0, 1]) assert.equal(await reverse.nth(i).isVisible(), false);
    for (const i of [0, 1]) assert.equal(await curriculum.nth(i).isVisible(), true);
    mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
    await p.screenshot({ path: path.join(ROOT, 'test-artifacts', 'report-sweep.png'), fullPage: true });
  } finally {
    await p.close();
  }
});
