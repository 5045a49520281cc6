import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadRun, missingSteps, RunNotFoundError, ranges } from '../../../report/load.ts';
import { openBlobStore } from '../../../storage/open.ts';
import { runKeys } from '../../../storage/run-layout.ts';
import { writeFixtureRun } from '../../fixtures/report/generate-run.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-report-load-'));
const storage = `file://${dir}`;
after(() => rmSync(dir, { recursive: true, force: true }));

test('loads every metrics and eval object of a fixture run, sorted, with the plan from run.json', async () => {
  const written = await writeFixtureRun(storage, { runId: 'full', stepsPerStage: 10, evalEvery: 5 });
  const run = await loadRun(storage, 'full');
  assert.equal(run.metrics.length, 40);
  assert.deepEqual(
    run.metrics.map((m) => m.step),
    Array.from({ length: 40 }, (_, i) => i)
  );
  // Evaluations at 0 and every 5 steps to 40: 9 records.
  assert.equal(run.evaluations.length, 9);
  assert.equal(run.header.experiment, 'omni-think-curriculum');
  assert.equal(run.header.status, 'complete');
  assert.equal(run.header.totalSteps, 40);
  assert.ok(run.header.stagesFromPlan);
  assert.deepEqual(
    run.header.stages.map((s) => [s.name, s.startStep, s.endStep]),
    written.stages.map((s) => [s.name, s.startStep, s.endStep])
  );
  assert.deepEqual(run.problems, []);
});

test('a malformed object and missing steps are problems, never fatal', async () => {
  await writeFixtureRun(storage, {
    runId: 'broken',
    stepsPerStage: 10,
    missingSteps: [3, 4, 5, 9],
    malformedSteps: [7],
  });
  const store = openBlobStore(`${storage}/broken`);
  await store.put(runKeys.evaluation(5), '{"step": 5, "oops"');
  await store.put(
    runKeys.metrics(12),
    JSON.stringify({ ...JSON.parse(new TextDecoder().decode(await store.get(runKeys.metrics(11)))) })
  );
  const run = await loadRun(storage, 'broken');
  // 40 written − 4 missing − 1 malformed − 1 holding another step's record = 34.
  assert.equal(run.metrics.length, 34);
  assert.match(run.header.status, /^incomplete \(34 of 40 steps recorded\)$/);
  const text = run.problems.join('\n');
  assert.match(text, /metrics\/step-00000007\.json: invalid StepMetrics \(clipFraction: /);
  assert.match(text, /eval\/step-00000005\.json: not JSON/);
  assert.match(text, /metrics\/step-00000012\.json: holds step 11, not 12/);
  assert.match(text, /metrics missing for steps 3–5, 7, 9, 12$/m);
});

test('without run.json the stages are inferred from the metrics and the lack is reported', async () => {
  await writeFixtureRun(storage, { runId: 'noinfo', stepsPerStage: 5, writeRunInfo: false, order: 'reverse' });
  const run = await loadRun(storage, 'noinfo');
  assert.equal(run.header.stagesFromPlan, false);
  assert.deepEqual(
    run.header.stages.map((s) => [s.name, s.startStep, s.endStep, s.tasks]),
    [
      ['writing', 0, 5, ['writing']],
      ['qa', 5, 10, ['qa']],
      ['math', 10, 15, ['math']],
      ['code', 15, 20, ['code']],
    ]
  );
  assert.equal(run.header.experiment, null);
  assert.match(run.header.status, /20 steps recorded \(plan unknown\)/);
  assert.ok(run.problems.some((p) => /run\.json is missing/.test(p)));
});

test('a run.json of the wrong shape is read defensively', async () => {
  await writeFixtureRun(storage, { runId: 'oddinfo', stepsPerStage: 3 });
  const store = openBlobStore(`${storage}/oddinfo`);
  await store.put(
    runKeys.runInfo(),
    JSON.stringify({
      runId: 'other',
      experiment: 7,
      status: 'running',
      plan: { stages: [{ name: 'code' }, { name: 'x', startStep: 0, endStep: 12 }] },
    })
  );
  const run = await loadRun(storage, 'oddinfo');
  assert.equal(run.header.status, 'running');
  assert.equal(run.header.experiment, null);
  assert.deepEqual(
    run.header.stages.map((s) => s.name),
    ['x']
  );
  assert.equal(run.header.totalSteps, 12);
  const text = run.problems.join('\n');
  assert.match(text, /names run 'other' but was read as 'oddinfo'/);
  assert.match(text, /plan\.stages\[0\] lacks a name or a valid startStep\/endStep/);
});

test('an unknown run and an unsafe run id are errors that say what to fix', async () => {
  await assert.rejects(loadRun(storage, 'nope'), (err: unknown) => {
    assert.ok(err instanceof RunNotFoundError);
    assert.match(err.message, /no run 'nope' at file:\/\/.*\/nope .*check the run id and --storage/);
    return true;
  });
  await assert.rejects(loadRun(storage, '../etc'), /invalid run id '\.\.\/etc'/);
  await assert.rejects(loadRun(storage, 'a/b'), /invalid run id 'a\/b'/);
  // A scheduled run's id carries its action time: a valid id, here just not found.
  await assert.rejects(loadRun(storage, 'nightly-schedule-2026-11-22T03:00:00Z'), RunNotFoundError);
});

test('missing steps stop at the last present step and the plan; ranges are compressed', () => {
  assert.deepEqual(missingSteps([0, 1, 4, 6], null), [2, 3, 5]);
  assert.deepEqual(missingSteps([0, 2, 9], 3), [1]);
  assert.deepEqual(missingSteps([], 10), []);
  assert.equal(ranges([1, 3, 4, 5, 8, 9]), '1, 3–5, 8–9');
});
