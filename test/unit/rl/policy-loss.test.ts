import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipFraction, importanceRatio, ppoClip, ppoClipTerm } from '../../../rl/policy-loss.ts';
import { assertClose } from './close.ts';

// rl-anchors Ex 3: ε_low 0.2, ε_high 0.28, dual clip c = 3; loss = max(−A·r, −A·clip(r, 0.8, 1.28)), then for A < 0
// min(loss, −c·A).
const DAPO = { epsilonLow: 0.2, epsilonHigh: 0.28 };
const ex3: [A: number, r: number, loss: number, noDual: number, symmetric: number, region: string][] = [
  [1, 1.5, -1.28, -1.28, -1.2, 'high'], // max(−1.5, −1.28)
  [1, 1.25, -1.25, -1.25, -1.2, 'none'], // 1.25 < 1.28: clip-higher lets it through
  [1, 0.5, -0.5, -0.5, -0.5, 'none'], // max(−0.5, −0.8)
  [-1, 0.5, 0.8, 0.8, 0.8, 'low'], // max(0.5, 0.8)
  [-1, 1.2, 1.2, 1.2, 1.2, 'none'], // max(1.2, 1.2)
  [-1, 5.0, 3.0, 5.0, 3.0, 'dual'], // max(5, 1.28) = 5, capped at 3·1
  [-0.5, 4.0, 1.5, 2.0, 1.5, 'dual'], // max(2, 0.64) = 2, capped at 3·0.5
  [2, 1.1, -2.2, -2.2, -2.2, 'none'],
];

test('Ex 3 PPO-clip with clip-higher and dual clip', () => {
  for (const [A, r, loss, , , region] of ex3) {
    const t = ppoClipTerm(r, A, { ...DAPO, dualClip: 3 });
    assertClose(t.loss, loss, 1e-12, `A=${A} r=${r}`);
    assert.equal(t.region, region, `A=${A} r=${r}`);
  }
});

test('Ex 3 without dual clip (the default) and with symmetric ε = 0.2', () => {
  for (const [A, r, , noDual, symmetric] of ex3) {
    assertClose(ppoClipTerm(r, A, DAPO).loss, noDual, 1e-12, `no dual A=${A} r=${r}`);
    assertClose(ppoClipTerm(r, A, { dualClip: 3 }).loss, symmetric, 1e-12, `symmetric A=${A} r=${r}`);
  }
  assert.equal(ppoClipTerm(5, -1).region, 'none', 'no dual clip by default');
});

test('ppoClip(options) is the same term with the options checked once', () => {
  const term = ppoClip({ ...DAPO, dualClip: 3 });
  for (const [A, r, loss, , , region] of ex3) {
    assertClose(term(r, A).loss, loss, 1e-12, `A=${A} r=${r}`);
    assert.equal(term(r, A).region, region);
  }
  assert.equal(term(1.5, 1).loss, -1.28);
  assert.throws(() => term(Number.NaN, 1), /ratio/);
  assert.throws(() => term(Number.POSITIVE_INFINITY, 1), /ratio/);
  assert.throws(() => term(1, Number.NaN), /advantage/);
  assert.throws(() => ppoClip({ dualClip: 0.5 }), /ppo\.dualClip/);
});

test('on-policy (r = 1) the loss is −A whatever the clip range', () => {
  assert.equal(ppoClipTerm(1, 0.75).loss, -0.75);
  assert.equal(ppoClipTerm(1, -2, { dualClip: 3 }).loss, 2);
});

test('importance ratio = exp(log π − log π_old), log-ratio clamped to ±20', () => {
  assertClose(importanceRatio(-1, -1.5), Math.exp(0.5), 1e-15);
  assert.equal(importanceRatio(0, -100), Math.exp(20));
  assert.equal(importanceRatio(-100, 0), Math.exp(-20));
});

test('options are checked', () => {
  assert.throws(() => ppoClipTerm(1, 1, { dualClip: 1 }), /ppo\.dualClip: must be > 1/);
  assert.throws(() => ppoClipTerm(1, 1, { epsilonLow: 1 }), /ppo\.epsilonLow/);
  assert.throws(() => ppoClipTerm(-1, 1), /ratio/);
  assert.throws(() => ppoClipTerm(1, Number.NaN), /advantage/);
});

test('clip fraction splits low / high like TRL, dual like verl', () => {
  const regions = ex3.map(([A, r]) => ppoClipTerm(r, A, { ...DAPO, dualClip: 3 }).region);
  // 8 tokens: high 1 (row 1), low 1 (row 4), dual 2 (rows 6, 7), none 4.
  assert.deepEqual(clipFraction(regions), { tokens: 8, low: 0.125, high: 0.125, region: 0.25, dual: 0.25 });
  assert.deepEqual(clipFraction([]), { tokens: 0, low: 0, high: 0, region: 0, dual: 0 });
  assert.throws(() => clipFraction(['upper' as never]), /unknown clip region/);
});

test('an option passed as undefined means the default (an optional config field passed straight through)', () => {
  assert.deepEqual(ppoClipTerm(5, -1, { dualClip: undefined, epsilonHigh: undefined }), ppoClipTerm(5, -1));
  assert.equal(ppoClipTerm(1.25, 1, { epsilonHigh: undefined }).loss, -1.2); // default ε_high 0.2 clips at 1.2
});
