/**
 * The report in a real browser (Debian's headless Chromium through playwright-core): opened from a file:// URL it
 * must load nothing from anywhere, log no error, draw every chart, and its legend toggles must work. Saves
 * test-artifacts/report.png (one run) and report-compare.png (curriculum vs reverse) for a person to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { loadRun } from '../../report/load.ts';
import { renderReport } from '../../report/render.ts';
import { writeFixtureRun } from '../fixtures/report/generate-run.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-report-browser-'));
let browser: Browser;
const pages: Record<'single' | 'compare', string> = { single: '', compare: '' };

before(async () => {
  const storage = `file://${dir}/runs`;
  await writeFixtureRun(storage, { runId: 'curriculum' });
  await writeFixtureRun(storage, { runId: 'reverse', order: 'reverse', missingSteps: [70, 71, 72] });
  const a = await loadRun(storage, 'curriculum');
  const b = await loadRun(storage, 'reverse');
  pages.single = path.join(dir, 'single.html');
  pages.compare = path.join(dir, 'compare.html');
  writeFileSync(pages.single, renderReport(a).html);
  writeFileSync(pages.compare, renderReport(a, { compare: b }).html);
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(file: string) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const failed: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, errors, requests, failed };
}

test('Chromium is installed where the test expects it', () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: apt-get install chromium`);
});

for (const kind of ['single', 'compare'] as const) {
  test(`${kind}: offline, no console errors, every chart drew SVG data`, async () => {
    const { page, errors, requests, failed } = await open(pages[kind]);
    try {
      assert.deepEqual(errors, []);
      assert.deepEqual(failed, []);
      // The only request is the page itself: nothing from the network, no other file.
      assert.deepEqual(requests, [pathToFileURL(pages[kind]).href]);
      const charts = await page.$$eval('[data-chart]', (els) =>
        els.map((el) => ({
          name: el.getAttribute('data-chart'),
          points: Number(el.getAttribute('data-points')),
          drawn: el.querySelectorAll('svg path, svg rect.cell, svg g.series rect, svg circle').length,
          width: el.getBoundingClientRect().width,
        }))
      );
      assert.equal(charts.length, kind === 'single' ? 22 : 25);
      for (const c of charts) {
        assert.ok(c.points > 0, `${c.name}: data-points ${c.points}`);
        assert.ok(c.drawn > 0, `${c.name}: no drawn SVG paths or rects`);
        assert.ok(c.width > 300, `${c.name}: rendered ${c.width}px wide`);
      }
      // Nothing spills sideways at a laptop's width.
      // A string, so the test compiles without the DOM lib (tsconfig is Node-only).
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the window`);
      await page.screenshot({
        path: path.join(ARTIFACTS, kind === 'single' ? 'report.png' : 'report-compare.png'),
        fullPage: true,
      });
    } finally {
      await page.close();
    }
  });
}

test('hovering a step chart reads out the step and each series value; missing steps are shaded', async () => {
  const { page, errors } = await open(pages.compare);
  try {
    const svg = page.locator('[data-chart="reward"] svg[data-x0]');
    await svg.scrollIntoViewIfNeeded();
    const box = (await svg.boundingBox())!;
    // Step 50 of 0..160: x = 62 + 522 · 50/160 = 225.125 in the 600-wide viewBox.
    await page.mouse.move(box.x + (225.125 / 600) * box.width, box.y + box.height / 2);
    const tip = page.locator('.hover-tip');
    assert.equal(await tip.isVisible(), true);
    assert.equal(await tip.locator('b').textContent(), 'step 50');
    // Step 50 is math's stage in the curriculum and qa's in the reverse run: one value each.
    const rows = await tip.locator('div').allTextContents();
    assert.equal(rows.length, 2, rows.join(' | '));
    assert.match(rows[0], /^math \(curriculum\): -?\d/);
    assert.match(rows[1], /^qa \(reverse\): -?\d/);
    // A vertical line has an empty bounding box, so Playwright never calls it visible: check where it was put instead.
    const crosshair = page.locator('[data-chart="reward"] line.hover-line');
    assert.ok(Math.abs(Number(await crosshair.getAttribute('x1')) - 225.125) < 1e-9);
    assert.doesNotMatch((await crosshair.getAttribute('style')) ?? '', /display: none/);
    await page.mouse.move(0, 0);
    assert.equal(await tip.isVisible(), false);
    // The reverse run's steps 70–72 have no metrics: one shaded range on each step chart.
    assert.equal(await page.locator('[data-chart="reward"] rect.missing').count(), 1);
    assert.match(
      (await page.locator('[data-chart="reward"] rect.missing title').textContent()) ?? '',
      /no metrics for steps 70–72 \(reverse\)/
    );
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

test('clicking a legend entry hides that series and clicking again shows it', async () => {
  const { page, errors } = await open(pages.compare);
  try {
    const series = page.locator('[data-chart="reward"] g.series[data-series="qa (curriculum)"] > path');
    const item = page.locator('[data-chart="reward"] ul.legend li[data-legend="qa"]');
    assert.equal(await series.isVisible(), true);
    await item.click();
    assert.equal(await series.isVisible(), false);
    // The compared run's qa line goes with it; the other tasks stay.
    assert.equal(
      await page.locator('[data-chart="reward"] g.series[data-series="qa (reverse)"] > path').isVisible(),
      false
    );
    assert.equal(
      await page.locator('[data-chart="reward"] g.series[data-series="math (curriculum)"] > path').isVisible(),
      true
    );
    await item.click();
    assert.equal(await series.isVisible(), true);
    // From the keyboard too: Enter on a focused legend entry.
    await item.focus();
    await page.keyboard.press('Enter');
    assert.equal(await series.isVisible(), false);
    assert.equal(await item.getAttribute('aria-pressed'), 'false');
    await page.keyboard.press(' ');
    assert.equal(await series.isVisible(), true);
    // A run's legend entry hides every series of that run.
    await page.locator('[data-chart="reward"] ul.legend li[data-run="reverse"]').click();
    assert.equal(
      await page.locator('[data-chart="reward"] g.series[data-series="code (reverse)"] > path').isVisible(),
      false
    );
    assert.equal(
      await page.locator('[data-chart="reward"] g.series[data-series="code (curriculum)"] > path').isVisible(),
      true
    );
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});
