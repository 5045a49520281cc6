import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RlInputError } from '../../../rl/errors.ts';
import {
  answerPenalty,
  DEFAULT_LENGTH_PENALTY,
  type LengthPenaltyOptions,
  lengthPenalty,
  thinkPenalty,
} from '../../../rl/length-penalty.ts';
import { assertClose } from './close.ts';

// Defaults (GZ §4.1): L_max = 2048, L_cache = 1536 → ramp over (512, 2048]; L'_min = 1024, L'_max = 4096, λ = 0.00025.

test('defaults are the paper’s', () => {
  assert.deepEqual(
    { ...DEFAULT_LENGTH_PENALTY },
    { lMax: 2048, lCache: 1536, answerMin: 1024, answerMax: 4096, lambda: 0.00025, variant: 'paper' }
  );
});

test('eq. 5 think penalty at the boundaries', () => {
  assert.equal(thinkPenalty(-5000), 0); // thinking longer than answering: never penalised
  assert.equal(thinkPenalty(511), 0); // 511 ≤ 512
  assert.equal(thinkPenalty(512), 0); // 512 ≤ 512: last unpenalised y
  assert.equal(thinkPenalty(513), -1 / 1536); // (512 − 513)/1536 = −0.000651…
  assert.equal(thinkPenalty(1280), -0.5); // (512 − 1280)/1536 = −768/1536
  assert.equal(thinkPenalty(2048), -1); // (512 − 2048)/1536 = −1536/1536: the ramp ends exactly at −1
  assert.equal(thinkPenalty(2049), -1); // y > L_max
});

test('eq. 6 answer penalty as printed: the jump at L′_min and the −1.024 → −1 rise at L′_max', () => {
  assert.equal(answerPenalty(0), 0);
  assert.equal(answerPenalty(1024), 0); // l ≤ L'_min
  assertClose(answerPenalty(1025), -0.25625, 1e-12); // −0.00025 · 1025: jumps from 0 to −0.256
  assertClose(answerPenalty(4096), -1.024, 1e-12); // −0.00025 · 4096: below the −1 floor
  assert.equal(answerPenalty(4097), -1); // l > L'_max: back up to −1
  assert.ok(answerPenalty(4097) > answerPenalty(4096), 'the quirk: one more token is penalised less');
});

test('continuous variant: 0 → −1 linear over (L′_min, L′_max], λ unused', () => {
  const o: LengthPenaltyOptions = { variant: 'continuous' };
  assert.equal(answerPenalty(1024, o), 0);
  assert.equal(answerPenalty(1025, o), -1 / 3072); // −(1025 − 1024)/(4096 − 1024)
  assert.equal(answerPenalty(2560, o), -0.5); // −1536/3072
  assert.equal(answerPenalty(4096, o), -1); // −3072/3072
  assert.equal(answerPenalty(4097, o), -1);
  assert.equal(answerPenalty(2560, { ...o, lambda: 123 }), -0.5, 'λ does not enter the continuous variant');
});

test('eq. 7 total = think + answer', () => {
  // think 100, answer 1380: y = 1280 → −0.5; answer −0.00025·1380 = −0.345; total −0.845.
  const r = lengthPenalty({ thinkTokens: 100, answerTokens: 1380 });
  assert.equal(r.think, -0.5);
  assertClose(r.answer, -0.345, 1e-12);
  assertClose(r.total, -0.845, 1e-12);
  // A long think and a short answer: no penalty at all.
  assert.deepEqual(lengthPenalty({ thinkTokens: 3000, answerTokens: 800 }), { think: 0, answer: 0, total: 0 });
  // Both saturated: y = 5000 − 0 > 2048 → −1, answer 5000 > 4096 → −1.
  assert.deepEqual(lengthPenalty({ thinkTokens: 0, answerTokens: 5000 }), { think: -1, answer: -1, total: -2 });
});

test('custom knobs are honoured', () => {
  // L_max 100, L_cache 50: ramp over (50, 100]; y = 75 → (50 − 75)/50 = −0.5.
  assert.equal(thinkPenalty(75, { lMax: 100, lCache: 50 }), -0.5);
  // λ = 0.001, L'_min 10, L'_max 500: l = 200 → −0.2.
  assertClose(answerPenalty(200, { lambda: 0.001, answerMin: 10, answerMax: 500 }), -0.2, 1e-12);
});

test('bad input is rejected with the field named', () => {
  assert.throws(() => thinkPenalty(1, { lCache: 0 }), /lengthPenalty\.lCache/);
  assert.throws(() => answerPenalty(1, { answerMin: 10, answerMax: 5 }), /lengthPenalty\.answerMax/);
  assert.throws(
    () => answerPenalty(1, { variant: 'smooth' as never }),
    /unknown name 'smooth'; known: paper, continuous/
  );
  assert.throws(() => answerPenalty(1, { lambda: -1 }), /lengthPenalty\.lambda/);
  assert.throws(() => lengthPenalty({ thinkTokens: -1, answerTokens: 0 }), /thinkTokens/);
  assert.throws(() => lengthPenalty({ thinkTokens: 1.5, answerTokens: 0 }), RlInputError);
  assert.throws(() => thinkPenalty(Number.NaN), /y: must be a finite number/);
});

test('property: think penalty lies in [−1, 0] and never rises as y grows', () => {
  fc.assert(
    fc.property(fc.integer({ min: -10_000, max: 10_000 }), fc.integer({ min: 0, max: 3000 }), (y, dy) => {
      const a = thinkPenalty(y);
      assert.ok(a <= 0 && a >= -1);
      assert.ok(thinkPenalty(y + dy) <= a);
    })
  );
});

test('property: the continuous answer penalty is monotone and moves < 1/3072 + ε per token', () => {
  const o: LengthPenaltyOptions = { variant: 'continuous' };
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 6000 }), (l) => {
      const step = answerPenalty(l, o) - answerPenalty(l + 1, o);
      assert.ok(step >= 0 && step <= 1 / 3072 + 1e-15);
    })
  );
});
