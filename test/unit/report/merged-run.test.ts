/**
 * A merged run (workflows/merge-run.ts) as the report reads it: run.json with the merge plan, the base evaluation at
 * step 0 and the merged model's at step 1, no step metrics. It must read without problems, say what it is, and give
 * the comparison its final scores, average relative score and BWT against its own base.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { writeJson } from '../../../activities/run-context.ts';
import { loadRun } from '../../../report/load.ts';
import { renderReport } from '../../../report/render.ts';
import { renderSweepReport } from '../../../report/render-sweep.ts';
import { compareSweep } from '../../../report/sweep.ts';
import type { EvalRecord } from '../../../schemas/records/eval-record.ts';
import { openBlobStore } from '../../../storage/open.ts';
import { runKeys } from '../../../storage/run-layout.ts';
import { mergePlan } from '../../../workflows/merge-run.ts';
import { valid } from '../schemas/minimal.ts';

const evalRecord = (step: number, stage: string, reason: EvalRecord['reason'], scores: Record<string, number>) =>
  ({ step, stage, reason, scores, samples: { code: 4, math: 4 }, evaluationMs: 5 }) satisfies EvalRecord;

test('a merged run reads as a complete one-stage run whose final row is the merged model', async () => {
  const config = valid({
    name: 'm',
    model: { preset: 'micro' },
    window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 16 }] },
    tasks: {
      code: { kind: 'code', source: { type: 'synthetic' } },
      math: { kind: 'math', source: { type: 'synthetic' } },
    },
    schedule: { kind: 'curriculum', stepsPerStage: 3 },
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-merged-report-'));
  try {
    const store = openBlobStore(`file://${dir}/merged-run`);
    const plan = mergePlan(config, {
      sources: [
        { runId: 'code-only', base: 'x' },
        { runId: 'math-only', base: 'y' },
      ],
    });
    assert.deepEqual(
      plan.stages.map((s) => [s.name, s.startStep, s.endStep, s.tasks.map((t) => t.task)]),
      [['merge', 0, 1, ['code', 'math']]]
    );
    await writeJson(store, runKeys.runInfo(), { runId: 'merged-run', experiment: 'm', configHash: 'h', config, plan });
    await writeJson(store, runKeys.evaluation(0), evalRecord(0, 'base', 'base', { code: 0.2, math: 0.5 }));
    await writeJson(store, runKeys.evaluation(1), evalRecord(1, 'merge', 'final', { code: 0.3, math: 0.4 }));

    const data = await loadRun(`file://${dir}`, 'merged-run');
    assert.deepEqual(data.problems, []);
    assert.equal(data.header.status, 'merged model (no training steps)');
    const runs = [{ variant: 'merged', seed: 1, runId: 'merged-run', wallMs: 10, data }];
    const comparison = compareSweep(runs);
    const [row] = comparison.variants;
    assert.deepEqual([row.final.code.mean, row.final.math.mean], [0.3, 0.4]);
    assert.deepEqual([row.base.code.mean, row.base.math.mean], [0.2, 0.5]);
    assert.ok(Math.abs((row.averageRelative.mean ?? 0) - (0.3 / 0.2 + 0.4 / 0.5) / 2) < 1e-12);
    assert.ok(Math.abs((row.bwt.math.mean ?? 0) - 0.1) < 1e-12);
    assert.ok(Math.abs((row.bwt.code.mean ?? 0) + 0.1) < 1e-12);
    // Both pages render it: no step metrics is not an error.
    const page = renderReport(data);
    assert.equal(page.steps, 0);
    assert.match(page.html, /merged model \(no training steps\)/);
    assert.equal(renderSweepReport('s', comparison, runs).runs, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
