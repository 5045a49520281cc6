/** Tracker params and metric names from a config and from records. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EvalRecord } from '../../../schemas/records/eval-record.ts';
import type { StepMetrics } from '../../../schemas/records/step-metrics.ts';
import { flattenParams, MAX_PARAM_VALUE } from '../../../tracking/flatten.ts';
import { evalMetricValues, stepMetricValues } from '../../../tracking/metric-names.ts';

test('a config flattens to one dotted key per leaf, arrays by index, empty containers kept', () => {
  assert.deepEqual(flattenParams({ b: { y: [1, { z: true }], x: null }, a: 'v', e: {}, f: [] }), [
    { key: 'a', value: 'v' },
    { key: 'b.x', value: 'null' },
    { key: 'b.y.0', value: '1' },
    { key: 'b.y.1.z', value: 'true' },
    { key: 'e', value: '{}' },
    { key: 'f', value: '[]' },
  ]);
});

test("a value longer than MLflow's limit is clipped, not refused", () => {
  const [p] = flattenParams({ prompt: 'x'.repeat(MAX_PARAM_VALUE + 10) });
  assert.equal(p.value.length, MAX_PARAM_VALUE);
});

test('evaluation metrics: a score per task, their mean over defined ones, undefined scores left out', () => {
  const e: EvalRecord = {
    step: 4,
    stage: 'qa',
    reason: 'stage-end',
    scores: { math: 0.5, qa: 1, code: null },
    samples: {},
    evaluationMs: 7,
  };
  assert.deepEqual(evalMetricValues(e), [
    { key: 'eval/math', value: 0.5 },
    { key: 'eval/qa', value: 1 },
    { key: 'eval/mean', value: 0.75 },
    { key: 'timings/evaluationMs', value: 7 },
  ]);
});

test('evaluation metrics: pass@k per task under a name MLflow accepts, an unknown one left out', () => {
  const e: EvalRecord = {
    step: 0,
    stage: 'base',
    reason: 'base',
    scores: { math: 0.5 },
    samples: {},
    passAtK: { math: { k: 4, score: 0.75 }, qa: null, code: { k: 4, score: null } },
    evaluationMs: 7,
  };
  const values = evalMetricValues(e);
  assert.deepEqual(
    values.filter((v) => v.key.includes('pass')),
    [{ key: 'eval/math/pass_at_4', value: 0.75 }]
  );
  // MLflow's metric-name rule: alphanumerics, _ - . space and /.
  for (const { key } of values) assert.match(key, /^[\w\-. /]+$/);
});

test("step metrics: dynamic sampling's counts are logged when the step has them, and absent otherwise", () => {
  const m: StepMetrics = {
    step: 3,
    stage: 'math',
    window: 24,
    learningRate: 1e-3,
    loss: 0.5,
    clipFraction: 0,
    klApprox: 0,
    entropy: 1,
    rewardMean: 0.25,
    zeroVarianceGroupFraction: 0.5,
    truncatedFraction: 0,
    perTask: {},
    timings: { rolloutMs: 1, scoringMs: 2, updateMs: 3 },
  };
  const keys = (x: StepMetrics) => stepMetricValues(x).filter((v) => v.key.startsWith('dynamicSampling/'));
  assert.deepEqual(keys(m), []);
  assert.deepEqual(keys({ ...m, dynamicSampling: { draws: 2, groupsDrawn: 8, groupsKept: 5, groupsTrained: 4 } }), [
    { key: 'dynamicSampling/draws', value: 2 },
    { key: 'dynamicSampling/groupsDrawn', value: 8 },
    { key: 'dynamicSampling/groupsKept', value: 5 },
    { key: 'dynamicSampling/groupsTrained', value: 4 },
  ]);
});
