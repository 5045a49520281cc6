/** Tracker params and metric names from a config and from records. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EvalRecord } from '../../../schemas/records/eval-record.ts';
import { flattenParams, MAX_PARAM_VALUE } from '../../../tracking/flatten.ts';
import { evalMetricValues } from '../../../tracking/metric-names.ts';

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
