import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dropUndefinedRewards,
  gzReward,
  OT_ACCURACY,
  verifiableAccuracy,
  weightedReward,
} from '../../../rl/reward-total.ts';
import { assertClose } from './close.ts';

test('verifiable accuracy: GZ ±1 by default, OT 1/0, undefined stays undefined', () => {
  assert.equal(verifiableAccuracy(true), 1);
  assert.equal(verifiableAccuracy(false), -1);
  assert.equal(verifiableAccuracy(false, OT_ACCURACY), 0);
  assert.equal(verifiableAccuracy(true, { correct: 2, incorrect: -0.5 }), 2);
  assert.equal(verifiableAccuracy(null), null);
});

test('GZ eq. 8 (verifiable): R = R_acc + 0.5·R_format', () => {
  assert.equal(gzReward({ accuracy: 1, format: 1 }), 1.5); // 1 + 0.5·1
  assert.equal(gzReward({ accuracy: -1, format: 1 }), -0.5); // −1 + 0.5·1
  assert.equal(gzReward({ accuracy: -1, format: 0 }), -1); // −1 + 0
});

test('GZ eq. 9 (non-verifiable): R = R_acc + 0.5·R_format + 2·R_length', () => {
  // 3.2 + 0.5·1 + 2·(−0.845) = 3.2 + 0.5 − 1.69 = 2.01
  assertClose(gzReward({ accuracy: 3.2, format: 1, length: -0.845 }) as number, 2.01, 1e-12);
  // Custom α = 1, β = 0.5: −5 + 1·0 + 0.5·(−2) = −6
  assert.equal(gzReward({ accuracy: -5, format: 0, length: -2 }, { alpha: 1, beta: 0.5 }), -6);
  // length 0 still selects eq. 9 and adds nothing.
  assert.equal(gzReward({ accuracy: 2, format: 1, length: 0 }), 2.5);
});

test('GZ: an undefined component makes the total undefined, never 0', () => {
  assert.equal(gzReward({ accuracy: null, format: 1 }), null);
  assert.equal(gzReward({ accuracy: 1, format: null }), null);
  assert.equal(gzReward({ accuracy: 4, format: 1, length: null }), null);
  assert.throws(() => gzReward({ accuracy: Number.NaN, format: 1 }), /accuracy: must be a finite number/);
});

test('OT: Σ w_r·r over the defined components only', () => {
  const weights = { accuracy: 1, format: 0.1, tags: 0.1 };
  // 1·1 + 0.1·1 + 0.1·0.75 = 1.175
  assertClose(weightedReward({ accuracy: 1, format: 1, tags: 0.75 }, weights) as number, 1.175, 1e-12);
  // accuracy undefined is excluded, not zeroed: 0.1·1 + 0.1·0.75 = 0.175
  assertClose(weightedReward({ accuracy: null, format: 1, tags: 0.75 }, weights) as number, 0.175, 1e-12);
  assert.equal(weightedReward({ accuracy: null, format: null, tags: null }, weights), null);
  assert.equal(weightedReward({}, weights), null);
  assert.throws(() => weightedReward({ judge: 1 }, weights), /weights\.judge: reward component 'judge' has no weight/);
});

test('rl-anchors Ex 7: per-task undefined components (TRL nansum semantics)', () => {
  const rows = [
    [1, null],
    [0, null],
    [null, 0.5],
    [null, 1.0],
  ].map(([a, b]) => weightedReward({ a, b }, { a: 1, b: 1 }));
  assert.deepEqual(rows, [1, 0, 0.5, 1.0]);
});

test('batch: all-undefined samples are dropped and counted', () => {
  assert.deepEqual(dropUndefinedRewards([1, null, -0.5, null, 0]), {
    kept: [0, 2, 4],
    rewards: [1, -0.5, 0],
    dropped: 2,
  });
  assert.deepEqual(dropUndefinedRewards([null]), { kept: [], rewards: [], dropped: 1 });
  assert.throws(() => dropUndefinedRewards([Number.POSITIVE_INFINITY]), /totals\[0\]/);
});
