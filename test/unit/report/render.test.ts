import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadRun } from '../../../report/load.ts';
import { heldOutMean, missingRanges, renderReport } from '../../../report/render.ts';
import type { RunData } from '../../../report/run-data.ts';
import { writeFixtureRun } from '../../fixtures/report/generate-run.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-report-render-'));
const storage = `file://${dir}`;
let curriculum: RunData;
let reverse: RunData;
before(async () => {
  await writeFixtureRun(storage, { runId: 'curriculum', stepsPerStage: 12, evalEvery: 6 });
  await writeFixtureRun(storage, {
    runId: 'reverse',
    order: 'reverse',
    stepsPerStage: 12,
    evalEvery: 6,
    missingSteps: [20, 21],
  });
  curriculum = await loadRun(storage, 'curriculum');
  reverse = await loadRun(storage, 'reverse');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const chartPoints = (html: string) =>
  Object.fromEntries([...html.matchAll(/data-chart="([^"]+)" data-points="(\d+)"/g)].map((m) => [m[1], Number(m[2])]));

const EXPECTED = [
  'heldout',
  'heldout-mean',
  'scores-matrix',
  'bwt-matrix',
  'reward',
  'accuracy',
  'component-accuracy',
  'component-format',
  'component-length',
  'length-code',
  'length-math',
  'length-qa',
  'length-writing',
  'window',
  'zero-variance',
  'truncated',
  'clip-fraction',
  'kl',
  'entropy',
  'loss',
  'learning-rate',
  'phase-time',
];

test('one run: every chart named, each drew data, and the count matches the page', () => {
  const r = renderReport(curriculum);
  assert.deepEqual(r.charts, EXPECTED);
  assert.equal(r.steps, 48);
  const pts = chartPoints(r.html);
  assert.deepEqual(Object.keys(pts), EXPECTED);
  for (const [name, n] of Object.entries(pts)) assert.ok(n > 0, `${name} drew nothing`);
  // Held-out: 4 tasks × evaluations at 0, 6, …, 48 (9 records) = 36 points.
  assert.equal(pts.heldout, 36);
  // Scores matrix: base + 4 stages, 4 tasks = 20 cells; BWT: 4 × 4 = 16.
  assert.equal(pts['scores-matrix'], 20);
  assert.equal(pts['bwt-matrix'], 16);
  // One task per step in a curriculum: 48 reward points, 48 think + 48 answer points over the 4 length charts.
  assert.equal(pts.reward, 48);
  assert.equal(pts['length-code'], 24);
  assert.equal(pts['phase-time'], 48);
});

test('the page is self-contained: no external scripts, styles, images or fonts', () => {
  const { html } = renderReport(curriculum, { compare: reverse });
  assert.doesNotMatch(html, /<(script|img|link|iframe)[^>]+(src|href)=/i);
  assert.doesNotMatch(html, /url\(|@import/);
  assert.match(html, /<style>/);
  assert.match(html, /<script>/);
});

test('comparison: second run dashed on the same charts, its own matrices and phase chart, stage labels of both', () => {
  const r = renderReport(curriculum, { compare: reverse });
  for (const extra of ['scores-matrix-compare', 'bwt-matrix-compare', 'phase-time-compare'])
    assert.ok(r.charts.includes(extra));
  const pts = chartPoints(r.html);
  // Reverse run misses steps 20–21: the reward points are 48 + 46.
  assert.equal(pts.reward, 48 + 46);
  assert.match(
    r.html,
    /data-series="code \(reverse\)" data-xy="[^"]+"><title>code \(reverse\)<\/title><path d="[^"]+"[^>]*stroke-dasharray="6 4"/
  );
  assert.match(r.html, /<text class="stage-label alt"[^>]*>writing<\/text>/);
  assert.match(r.html, /data-table="summary"/);
  assert.match(r.html, /<code>reverse<\/code>: metrics missing for steps 20–21/);
  assert.deepEqual(missingRanges(reverse), [{ from: 20, to: 21 }]);
  // Shaded on the step charts (not on held-out, which is not per step), from step 19.5 to 21.5 of 0..48:
  // x = 62 + 522 · 19.5/48 = 274.06, width = 522 · 2/48 = 21.75.
  const reward = r.html.slice(r.html.indexOf('data-chart="reward"'), r.html.indexOf('data-chart="component-'));
  assert.match(reward, /<rect class="missing" x="274\.1" y="34" width="21\.8"/);
  assert.doesNotMatch(r.html.slice(0, r.html.indexOf('data-chart="scores-matrix"')), /class="missing"/);
});

test('summary: pass@k rows of the base and the final model when the records hold it, none otherwise', () => {
  assert.doesNotMatch(renderReport(curriculum).html, /pass@\d/);
  const passes = (step: number) => (step === 0 ? 0.5 : 0.875);
  const withPass: RunData = {
    ...curriculum,
    evaluations: curriculum.evaluations.map((e) => ({
      ...e,
      passAtK: Object.fromEntries(Object.keys(e.scores).map((t) => [t, { k: 4, score: passes(e.step) }])),
    })),
  };
  const html = renderReport(withPass).html;
  const summary = html.slice(html.indexOf('data-table="summary"'), html.indexOf('data-table="phases"'));
  const tasks = Object.keys(curriculum.evaluations[0].scores).length;
  assert.match(
    summary,
    new RegExp(`<tr><th>pass@4 base</th>${'<td class="">50\\.0%</td>'.repeat(tasks)}<td></td></tr>`)
  );
  assert.match(summary, /<tr><th>pass@4 after \w+<\/th>(<td class="">87\.5%<\/td>)+<td><\/td><\/tr>/);
});

test('header: experiment, run id, status, steps and config hash; text is escaped', () => {
  const evil: RunData = {
    ...curriculum,
    header: {
      ...curriculum.header,
      experiment: '<script>alert(1)</script>',
      status: 'incomplete (3 of 48 steps recorded)',
    },
  };
  const { html } = renderReport(evil);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /<dt>run<\/dt><dd><code>curriculum<\/code>/);
  assert.match(html, /<span class="status warn">incomplete \(3 of 48 steps recorded\)<\/span>/);
  assert.match(html, /<dd>48 \/ 48<\/dd>/);
  assert.match(html, /<code>3c9a51e08f7d<\/code>/);
  assert.match(html, /<dt>started<\/dt><dd>2026-11-21T08:00:00\.000Z<\/dd>/);
});

test('a run just started (run.json and the base evaluation only) renders, with empty step charts', async () => {
  const { openBlobStore } = await import('../../../storage/open.ts');
  const { runKeys } = await import('../../../storage/run-layout.ts');
  const src = openBlobStore(`${storage}/curriculum`);
  const dst = openBlobStore(`${storage}/fresh`);
  await dst.put(runKeys.runInfo(), await src.get(runKeys.runInfo()));
  await dst.put(runKeys.evaluation(0), await src.get(runKeys.evaluation(0)));
  const fresh = await loadRun(storage, 'fresh');
  assert.equal(fresh.header.status, 'incomplete (0 of 48 steps recorded)');
  const r = renderReport(fresh);
  assert.equal(r.steps, 0);
  const pts = chartPoints(r.html);
  // Base scores only: 4 held-out points, 4 cells in the scores matrix, no BWT yet.
  assert.equal(pts.heldout, 4);
  assert.equal(pts['scores-matrix'], 4);
  assert.equal(pts['bwt-matrix'], 0);
  assert.equal(pts.reward, 0);
  assert.equal(pts['phase-time'], 0);
  // No length chart for a task never trained.
  assert.ok(!r.charts.some((c) => c.startsWith('length-')));
});

test('joint training (one stage, every task every step): continuous per-task lines, no boundary line', () => {
  const steps = 12;
  const joint: RunData = {
    ...curriculum,
    header: {
      ...curriculum.header,
      totalSteps: steps,
      stages: [{ name: 'joint', startStep: 0, endStep: steps, tasks: ['code', 'math', 'qa', 'writing'], windows: [] }],
    },
    // Step i trains all four tasks: the curriculum's rows i, i + 12, i + 24, i + 36 merged.
    metrics: curriculum.metrics.slice(0, steps).map((m, i) => ({
      ...m,
      stage: 'joint',
      perTask: Object.assign({}, ...[0, 1, 2, 3].map((k) => curriculum.metrics[i + k * steps].perTask)),
    })),
    evaluations: [{ ...curriculum.evaluations[0] }, { ...curriculum.evaluations.at(-1)!, step: steps, stage: 'joint' }],
  };
  const r = renderReport(joint);
  const pts = chartPoints(r.html);
  assert.equal(pts.reward, 4 * steps);
  const reward = r.html.slice(r.html.indexOf('data-chart="reward"'), r.html.indexOf('data-chart="component-'));
  assert.doesNotMatch(reward, /class="stage-line/);
  assert.match(reward, /<text class="stage-label"[^>]*>joint<\/text>/);
  // One subpath per task: no gap anywhere.
  for (const d of [...reward.matchAll(/<path d="([^"]+)"/g)].map((m) => m[1])) assert.equal(d.match(/M/g)?.length, 1);
  // base + after joint.
  assert.equal(pts['scores-matrix'], 8);
  assert.equal(pts['bwt-matrix'], 4);
});

test('mean held-out score: over all tasks, a gap where any task is unscored', () => {
  const e = (step: number, scores: Record<string, number | null>) => ({
    step,
    stage: 's',
    reason: 'periodic' as const,
    scores,
    samples: {},
    evaluationMs: 0,
  });
  // (0.2 + 0.4 + 0.9) / 3 = 0.5
  const pts = heldOutMean(
    [e(0, { a: 0.2, b: 0.4, c: 0.9 }), e(5, { a: 0.2, b: null, c: 0.9 }), e(9, { a: 0.3, b: 0.3 })],
    ['a', 'b', 'c']
  );
  assert.ok(Math.abs(pts[0].y! - 0.5) < 1e-12);
  assert.equal(pts[1].y, null);
  assert.equal(pts[2].y, null);
});

test('dynamic sampling: a run whose steps record it gets a chart of groups drawn, kept and trained per step', () => {
  const counts = (step: number) => ({
    draws: 1 + (step % 3),
    groupsDrawn: 4 * (1 + (step % 3)),
    groupsKept: 3,
    groupsTrained: 3,
  });
  const run: RunData = {
    ...curriculum,
    metrics: curriculum.metrics.map((m) => ({ ...m, dynamicSampling: counts(m.step) })),
  };
  const r = renderReport(run);
  assert.deepEqual(r.charts, [...EXPECTED.slice(0, 16), 'dynamic-sampling', ...EXPECTED.slice(16)]);
  // Three series (drawn, kept, trained) over every step.
  assert.equal(chartPoints(r.html)['dynamic-sampling'], 3 * curriculum.metrics.length);
  assert.ok(!renderReport(curriculum).charts.includes('dynamic-sampling'), 'no chart for a run without it');
});
