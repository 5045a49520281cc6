import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RunData, RunHeader } from '../../../report/run-data.ts';
import {
  bwtMatrix,
  drawnPoints,
  evalSeries,
  passAtKRows,
  runSummary,
  stageBoundaries,
  stepPhases,
  stepSeries,
  taskOrder,
} from '../../../report/shape.ts';
import type { EvalRecord } from '../../../schemas/records/eval-record.ts';
import type { StepMetrics } from '../../../schemas/records/step-metrics.ts';

function metrics(step: number, stage: string, tasks: Record<string, number | null>): StepMetrics {
  return {
    step,
    stage,
    window: 2048,
    learningRate: 1e-6,
    loss: 0,
    clipFraction: 0,
    klApprox: 0,
    entropy: 1,
    rewardMean: 0,
    zeroVarianceGroupFraction: 0,
    truncatedFraction: 0,
    perTask: Object.fromEntries(
      Object.entries(tasks).map(([t, r]) => [
        t,
        {
          rewardMean: r,
          components: {},
          accuracy: null,
          thinkTokensMean: 1,
          answerTokensMean: 1,
          thinkCharsMean: 1,
          answerCharsMean: 1,
          responseTokensMean: 2,
          truncatedFraction: 0,
          zeroVarianceGroupFraction: 0,
          droppedUndefined: 0,
          samples: 1,
        },
      ])
    ),
    timings: { rolloutMs: 1000, scoringMs: 200, updateMs: 300, ...(step === 1 ? { checkpointMs: 50 } : {}) },
  };
}

function evalAt(
  step: number,
  stage: string,
  reason: EvalRecord['reason'],
  scores: Record<string, number | null>
): EvalRecord {
  return { step, stage, reason, scores, samples: {}, evaluationMs: 10 };
}

const header = (stages: { name: string; startStep: number; endStep: number; tasks: string[] }[]): RunHeader => ({
  runId: 'r',
  experiment: 'e',
  configHash: null,
  createdAt: null,
  status: 'complete',
  totalSteps: stages.at(-1)?.endStep ?? null,
  stages: stages.map((s) => ({ ...s, windows: [] })),
  stagesFromPlan: true,
});

test('a step without metrics is a gap (null), not bridged; steps outside the series are trimmed', () => {
  const ms = [
    metrics(0, 'a', { x: 1 }),
    metrics(1, 'a', { x: 2 }),
    metrics(4, 'a', { x: 5 }),
    metrics(5, 'b', { y: 0 }),
  ];
  assert.deepEqual(
    stepSeries(ms, (m) => m.perTask.x?.rewardMean),
    [
      { x: 0, y: 1 },
      { x: 1, y: 2 },
      { x: 2, y: null },
      { x: 3, y: null },
      { x: 4, y: 5 },
    ]
  );
  // A null reward (every component undefined) is a gap too.
  assert.deepEqual(
    stepSeries(
      [metrics(0, 'a', { x: 1 }), metrics(1, 'a', { x: null }), metrics(2, 'a', { x: 3 })],
      (m) => m.perTask.x?.rewardMean
    ),
    [
      { x: 0, y: 1 },
      { x: 1, y: null },
      { x: 2, y: 3 },
    ]
  );
});

test('stepSeries draws exactly the steps that have a value (property)', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 40 }),
      fc.array(fc.boolean()),
      (steps, defined) => {
        const sorted = [...steps].sort((a, b) => a - b);
        const ms = sorted.map((s, i) => metrics(s, 'a', defined[i] === false ? {} : { x: s }));
        const series = stepSeries(ms, (m) => m.perTask.x?.rewardMean);
        const expected = sorted.filter((_, i) => defined[i] !== false);
        assert.equal(drawnPoints(series), expected.length);
        assert.deepEqual(
          series.filter((p) => p.y !== null).map((p) => p.x),
          expected
        );
        // Consecutive x, no duplicates: a missing step can only show as a null, never as a jump.
        for (let i = 1; i < series.length; i++) assert.equal(series[i].x, series[i - 1].x + 1);
      }
    )
  );
});

test('a null held-out score is a gap; a task absent from a record is skipped', () => {
  const evals = [
    evalAt(0, 'base', 'base', { a: 0.5 }),
    evalAt(10, 's', 'periodic', { a: null }),
    evalAt(20, 's', 'stage-end', {}),
  ];
  assert.deepEqual(
    evalSeries(evals, (e) => ('a' in e.scores ? e.scores.a : undefined)),
    [
      { x: 0, y: 0.5 },
      { x: 10, y: null },
    ]
  );
});

test('stage boundaries sit at each stage start step', () => {
  const h = header([
    { name: 'code', startStep: 0, endStep: 40, tasks: ['code'] },
    { name: 'math', startStep: 40, endStep: 70, tasks: ['math'] },
  ]);
  assert.deepEqual(stageBoundaries(h), [
    { step: 0, endStep: 40, name: 'code' },
    { step: 40, endStep: 70, name: 'math' },
  ]);
});

test('BWT matrix: rows base + after each stage, BWT_j = P_base,j − P_after,j', () => {
  const h = header([
    { name: 'code', startStep: 0, endStep: 10, tasks: ['code'] },
    { name: 'qa', startStep: 10, endStep: 20, tasks: ['qa'] },
  ]);
  const evals = [
    evalAt(0, 'base', 'base', { code: 0.3, qa: 0.5 }),
    evalAt(5, 'code', 'periodic', { code: 0.9, qa: 0.9 }), // periodic: not a matrix row
    evalAt(10, 'code', 'stage-end', { code: 0.6, qa: 0.45 }),
    evalAt(20, 'qa', 'stage-end', { code: 0.5, qa: null }),
  ];
  const m = bwtMatrix(h, evals, ['code', 'qa']);
  assert.deepEqual(
    m.rows.map((r) => [r.label, r.step]),
    [
      ['base', 0],
      ['after code', 10],
      ['after qa', 20],
    ]
  );
  // after code: code 0.3 − 0.6 = −0.3 (improved), qa 0.5 − 0.45 = +0.05 (forgot)
  // after qa:   code 0.3 − 0.5 = −0.2, qa unscored → null
  const close = (a: number | null, b: number | null) => assert.ok(a === b || Math.abs(a! - b!) < 1e-12, `${a} vs ${b}`);
  close(m.bwt[0].values.code, -0.3);
  close(m.bwt[0].values.qa, 0.05);
  close(m.bwt[1].values.code, -0.2);
  assert.equal(m.bwt[1].values.qa, null);
  assert.equal(m.final, m.bwt[1].values);
  assert.deepEqual(m.problems, []);
});

test('pass@k rows: the base and the last evaluated stage, labelled with k; none for records without it', () => {
  const h = header([
    { name: 'code', startStep: 0, endStep: 10, tasks: ['code'] },
    { name: 'qa', startStep: 10, endStep: 20, tasks: ['qa'] },
  ]);
  const withPass = (e: EvalRecord, p: Record<string, number | null>): EvalRecord => ({
    ...e,
    passAtK: Object.fromEntries(Object.entries(p).map(([t, score]) => [t, { k: 4, score }])),
  });
  const evals = [
    withPass(evalAt(0, 'base', 'base', { code: 0.3, qa: 0.5 }), { code: 0.55, qa: 0.75 }),
    withPass(evalAt(10, 'code', 'stage-end', { code: 0.6, qa: 0.45 }), { code: 0.8, qa: 0.7 }),
    withPass(evalAt(20, 'qa', 'stage-end', { code: 0.5, qa: 0.6 }), { code: 0.7, qa: null }),
  ];
  const rows = passAtKRows(evals, bwtMatrix(h, evals, ['code', 'qa']));
  assert.deepEqual(rows, [
    { label: 'pass@4 base', scores: { code: 0.55, qa: 0.75 } },
    { label: 'pass@4 after qa', scores: { code: 0.7, qa: null } },
  ]);
  const old = evals.map(({ passAtK: _, ...e }) => e);
  assert.deepEqual(passAtKRows(old, bwtMatrix(h, old, ['code', 'qa'])), []);
});

test('BWT matrix falls back to the evaluation at the stage end step and reports a missing one', () => {
  const h = header([
    { name: 'a', startStep: 0, endStep: 10, tasks: ['t'] },
    { name: 'b', startStep: 10, endStep: 20, tasks: ['t'] },
  ]);
  const m = bwtMatrix(
    h,
    [
      evalAt(0, 'base', 'base', { t: 0.4 }),
      evalAt(10, 'b', 'periodic', { t: 0.2 }),
      evalAt(25, 'b', 'final', { t: 0.1 }),
    ],
    ['t']
  );
  assert.equal(m.rows[1].step, 10);
  // Stage b's row is the `final` record naming b.
  assert.equal(m.rows[2].step, 25);
  const m2 = bwtMatrix(h, [evalAt(0, 'base', 'base', { t: 0.4 }), evalAt(30, 'x', 'periodic', { t: 0.1 })], ['t']);
  assert.deepEqual(m2.problems, [
    "no evaluation at the end of stage 'a' (step 10)",
    "no evaluation at the end of stage 'b' (step 20)",
  ]);
  assert.equal(m2.final.t, null);
});

test('summary: final scores, average relative score and phase totals', () => {
  const h = header([{ name: 'a', startStep: 0, endStep: 2, tasks: ['x', 'y', 'z'] }]);
  const run: RunData = {
    header: h,
    metrics: [metrics(0, 'a', { x: 1 }), metrics(1, 'a', { x: 1 })],
    evaluations: [
      evalAt(0, 'base', 'base', { x: 0.4, y: 0.5, z: 0 }),
      evalAt(2, 'a', 'stage-end', { x: 0.6, y: 0.25, z: 0.3 }),
    ],
    source: 'file:///x',
    problems: [],
  };
  const m = bwtMatrix(h, run.evaluations, taskOrder([run]));
  const s = runSummary(run, m);
  // x: 0.6 / 0.4 = 1.5; y: 0.25 / 0.5 = 0.5; z has base 0 → left out. Mean (1.5 + 0.5) / 2 = 1.0.
  assert.ok(Math.abs(s.averageRelative! - 1) < 1e-12);
  assert.deepEqual(s.relativeSkipped, ['z']);
  assert.deepEqual(s.finalScores, { x: 0.6, y: 0.25, z: 0.3 });
  // Two steps of 1000 / 200 / 300 ms; step 1 has a 50 ms checkpoint. No step records evaluationMs, so the
  // evaluation after step 1 (record at step 2, 10 ms) is charged to step 1, plus the base evaluation (10 ms) = 20.
  assert.deepEqual(s.phaseMs, { rollout: 2000, scoring: 400, update: 600, checkpoint: 50, evaluation: 20 });
  assert.deepEqual(
    stepPhases(run).map((p) => p.ms.evaluation),
    [0, 10]
  );
});

test('drop from best: best score after any stage minus the last', () => {
  const h = header([
    { name: 'a', startStep: 0, endStep: 1, tasks: ['t'] },
    { name: 'b', startStep: 1, endStep: 2, tasks: ['u'] },
  ]);
  const evals = [
    evalAt(0, 'base', 'base', { t: 0.2 }),
    evalAt(1, 'a', 'stage-end', { t: 0.7 }),
    evalAt(2, 'b', 'stage-end', { t: 0.45 }),
  ];
  const run: RunData = { header: h, metrics: [], evaluations: evals, source: '', problems: [] };
  const s = runSummary(run, bwtMatrix(h, evals, ['t']));
  // max(0.7, 0.45) − 0.45 = 0.25; BWT = 0.2 − 0.45 = −0.25
  assert.ok(Math.abs(s.dropFromBest.t! - 0.25) < 1e-12);
  assert.ok(Math.abs(s.bwt.t! + 0.25) < 1e-12);
});
