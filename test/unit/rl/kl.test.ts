import assert from 'node:assert/strict';
import { test } from 'node:test';
import { klEstimate } from '../../../rl/kl.ts';
import { assertClose } from './close.ts';

// rl-anchors Ex 4, x = log π − log π_ref: k1 = x, k2 = x²/2, k3 = e^(−x) + x − 1.
test('Ex 4 per-token KL estimators', () => {
  // x = 0.5: k2 = 0.125, k3 = e^−0.5 − 0.5 = 0.606531 − 0.5 = 0.106531
  assert.equal(klEstimate('k1', -1.0, -1.5), 0.5);
  assert.equal(klEstimate('k2', -1.0, -1.5), 0.125);
  assertClose(klEstimate('k3', -1.0, -1.5), 0.106531);
  // x = −1: k2 = 0.5, k3 = e − 1 − 1 = 0.718282
  assert.equal(klEstimate('k1', -2.0, -1.0), -1);
  assert.equal(klEstimate('k2', -2.0, -1.0), 0.5);
  assertClose(klEstimate('k3', -2.0, -1.0), 0.718282);
  for (const k of ['k1', 'k2', 'k3'] as const) assert.equal(klEstimate(k, -0.3, -0.3), 0);
});

test('verl clamps on k3 only: log-ratio ±20, value ≤ 10', () => {
  // d = log π_ref − log π = 30 → clamped to 20 → e^20 − 21 ≫ 10 → 10
  assert.equal(klEstimate('k3', -30, 0), 10);
  // d = −30 → −20 → e^−20 + 20 − 1 = 19.000000002 → 10
  assert.equal(klEstimate('k3', 0, -30), 10);
  // k3 = 10 is reached near d = 2.528; d = 2: e² − 3 = 4.389056, unclamped
  assertClose(klEstimate('k3', -2, 0), Math.exp(2) - 3, 1e-12);
  assert.equal(klEstimate('k1', -30, 0), -30);
  assert.equal(klEstimate('k2', -30, 0), 450);
});

test('unknown estimator and non-finite input are rejected', () => {
  assert.throws(() => klEstimate('k4' as never, 0, 0), /kl\.estimator: unknown name 'k4'; known: k1, k2, k3/);
  assert.throws(() => klEstimate('k1', Number.NEGATIVE_INFINITY, 0), /logProb/);
});
