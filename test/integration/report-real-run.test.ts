/**
 * The report of a real run, not a fixture: a tiny four-domain curriculum trained through Temporal (real engine,
 * scorer, sandbox, MinIO), its metrics and evaluations read back from S3, rendered, and opened in headless Chromium:
 * no console error, nothing loaded from the network, every chart drew data. Screenshot: test-artifacts/report-real-run.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { ROOT } from '../../infra/paths.mjs';
import { loadRun } from '../../report/load.ts';
import { renderReport } from '../../report/render.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { useRunStack } from '../helpers/run-stack.ts';
import { freshBucket } from '../helpers/s3.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';

const stack = useRunStack();

test('the report of a real four-stage run renders in Chromium with every chart drawn', async () => {
  const bucket = await freshBucket('oz-report-run');
  const storage = `s3://${bucket.bucket}/runs`;
  const runId = `report-run-${Date.now()}`;
  const config = tinyExperiment({
    name: 'report-run',
    storage,
    workers: stack.workers,
    stepsPerStage: 2,
    tasks: ['code', 'math', 'qa', 'writing'],
  });
  const result = (await stack.env.client.workflow.execute('experiment', {
    args: [{ config, runId }],
    taskQueue: stack.workers.queues.main,
    workflowId: runId,
  })) as ExperimentResult;
  assert.equal(result.status, 'completed');

  const run = await loadRun(storage, runId);
  const html = renderReport(run).html;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-report-run-'));
  const file = path.join(dir, 'report.html');
  writeFileSync(file, html);

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [pathToFileURL(file).href], 'nothing but the page itself is loaded');
    const charts = await page.$$eval('[data-chart]', (els) =>
      els.map((el) => ({
        name: el.getAttribute('data-chart'),
        points: Number(el.getAttribute('data-points')),
        drawn: el.querySelectorAll('svg path, svg rect, svg circle').length,
      }))
    );
    assert.ok(charts.length >= 20, `charts: ${charts.length}`);
    const empty = charts.filter((c) => !(c.points > 0) || c.drawn === 0).map((c) => c.name);
    assert.deepEqual(empty, [], 'every chart drew data');
    mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'test-artifacts', 'report-real-run.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});
