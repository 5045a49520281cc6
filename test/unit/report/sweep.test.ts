import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunData } from '../../../report/run-data.ts';
import {
  compareSweep,
  renderComparisonText,
  renderLengthsText,
  type SweepRunData,
  stat,
} from '../../../report/sweep.ts';
import type { EvalRecord } from '../../../schemas/records/eval-record.ts';
import { step } from './length-fixture.ts';

const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} ≈ ${b}`);

test('stat: mean and sample standard deviation (n − 1); one value has no spread; none has no mean', () => {
  const s = stat([0.2, 0.4, 0.9]);
  close(s.mean, 0.5);
  // deviations −0.3, −0.1, 0.4 → squares 0.09 + 0.01 + 0.16 = 0.26; / 2 = 0.13
  close(s.spread, Math.sqrt(0.13));
  assert.equal(s.n, 3);
  assert.deepEqual(stat([0.7]), { mean: 0.7, spread: null, n: 1 });
  assert.deepEqual(stat([null, Number.NaN]), { mean: null, spread: null, n: 0 });
  close(stat([null, 1, 3]).mean, 2);
});

const evalAt = (step: number, stage: string, reason: EvalRecord['reason'], scores: Record<string, number>) =>
  ({ step, stage, reason, scores, samples: {}, evaluationMs: 0 }) as EvalRecord;

/** A two-stage curriculum a → b (2 steps each) with base, after-a and after-b scores. */
function run(base: [number, number], afterA: [number, number], afterB: [number, number]): RunData {
  const s = (v: [number, number]) => ({ a: v[0], b: v[1] });
  return {
    header: {
      runId: 'r',
      experiment: 'e',
      configHash: null,
      createdAt: null,
      status: 'complete',
      totalSteps: 4,
      stages: [
        { name: 'a', startStep: 0, endStep: 2, tasks: ['a'], windows: [] },
        { name: 'b', startStep: 2, endStep: 4, tasks: ['b'], windows: [] },
      ],
      stagesFromPlan: true,
    },
    metrics: [],
    evaluations: [
      evalAt(0, 'a', 'base', s(base)),
      evalAt(2, 'a', 'stage-end', s(afterA)),
      evalAt(4, 'b', 'final', s(afterB)),
    ],
    source: 'test',
    problems: [],
  };
}

test('compareSweep: per-variant final scores, BWT, average relative score and wall time over seeds, by hand', () => {
  const runs: SweepRunData[] = [
    { variant: 'curriculum', seed: 1, runId: 'c1', wallMs: 1000, data: run([0.5, 0.2], [0.8, 0.2], [0.6, 0.4]) },
    { variant: 'curriculum', seed: 2, runId: 'c2', wallMs: 3000, data: run([0.5, 0.2], [0.9, 0.3], [0.7, 0.5]) },
    { variant: 'reverse', seed: 1, runId: 'r1', wallMs: 2000, data: run([0.5, 0.2], [0.5, 0.1], [0.25, 0.1]) },
  ];
  const c = compareSweep(runs);
  assert.deepEqual(c.tasks, ['a', 'b']);
  assert.deepEqual(
    c.variants.map((v) => [v.variant, v.seeds, v.runIds]),
    [
      ['curriculum', [1, 2], ['c1', 'c2']],
      ['reverse', [1], ['r1']],
    ]
  );
  const [cur, rev] = c.variants;
  // Finals: a 0.6, 0.7 → mean 0.65, spread √((0.05² + 0.05²)/1) = 0.0707…; b 0.4, 0.5 → 0.45.
  close(cur.final.a.mean, 0.65);
  close(cur.final.a.spread, Math.sqrt(0.005));
  close(cur.final.b.mean, 0.45);
  // BWT = base − after the last stage: a 0.5 − 0.6 = −0.1 and 0.5 − 0.7 = −0.2 → −0.15.
  close(cur.bwt.a.mean, -0.15);
  // Average relative score: seed 1 (0.6/0.5 + 0.4/0.2)/2 = 1.6; seed 2 (0.7/0.5 + 0.5/0.2)/2 = 1.95 → 1.775.
  close(cur.averageRelative.mean, 1.775);
  close(cur.averageRelative.spread, Math.sqrt(2 * 0.175 ** 2));
  close(cur.wallMs.mean, 2000);
  close(cur.wallMs.spread, Math.sqrt(2e6));
  // One seed: a mean and no spread.  (0.25/0.5 + 0.1/0.2)/2 = 0.5; BWT a = 0.25.
  close(rev.averageRelative.mean, 0.5);
  assert.equal(rev.averageRelative.spread, null);
  close(rev.bwt.a.mean, 0.25);
  close(rev.base.b.mean, 0.2);
});

test('renderComparisonText: one row per variant with its seed count, percents ± spread, ratio and seconds', () => {
  const c = compareSweep([
    { variant: 'x', seed: 1, runId: 'x1', wallMs: 61_000, data: run([0.5, 0.2], [0.8, 0.2], [0.6, 0.4]) },
    { variant: 'x', seed: 2, runId: 'x2', wallMs: 59_000, data: run([0.5, 0.2], [0.9, 0.3], [0.7, 0.5]) },
  ]);
  const lines = renderComparisonText(c).split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^variant\s+a %\s+b %\s+avg rel\s+BWT a\s+BWT b\s+wall$/);
  assert.match(
    lines[1],
    /^x \(2 seeds\)\s+65\.0 ±7\.1\s+45\.0 ±7\.1\s+1\.77 ±0\.25\s+-15\.0 ±7\.1\s+-25\.0 ±7\.1\s+60 s$/
  );
});

test('compareSweep: each variant gets its answer/think length ends as mean ± spread over seeds', () => {
  const grow = (a0: number, a1: number): RunData => ({
    ...run([0.5, 0.2], [0.5, 0.2], [0.5, 0.2]),
    metrics: [step(0, 'a', 14, a0, 0), step(1, 'a', 14, a1, 1)],
  });
  const runs: SweepRunData[] = [
    { variant: 'off', seed: 1, runId: 'o1', wallMs: 1, data: grow(15, 40) },
    { variant: 'off', seed: 2, runId: 'o2', wallMs: 1, data: grow(15, 50) },
    { variant: 'on', seed: 1, runId: 'n1', wallMs: 1, data: grow(15, 25) },
  ];
  const c = compareSweep(runs);
  assert.deepEqual(Object.keys(c.variants[0].lengths), ['a']); // b has no step: no row
  const off = c.variants[0].lengths.a;
  assert.equal(off.answerFirst.mean, 15);
  assert.equal(off.answerLast.mean, 45); // (40 + 50) / 2, spread √((5² + 5²)/1) = √50
  assert.ok(Math.abs((off.answerLast.spread as number) - Math.sqrt(50)) < 1e-12);
  assert.equal(off.thinkLast.mean, 14);
  assert.equal(c.variants[1].lengths.a.answerLast.spread, null);
  const lines = renderLengthsText(c).split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^off \/ a\s+14\.0 → 14\.0\s+15\.0 → 45\.0\s+0\.00 ±0\.00 → 1\.00 ±0\.00$/);
  assert.match(lines[2], /^on \/ a\s+14\.0 → 14\.0\s+15\.0 → 25\.0/);
});
