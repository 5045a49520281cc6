import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSamplingOptions, chooseToken, topKIds } from '../../../engine/logits-processing.ts';

// probabilities 0.1, 0.2, 0.3, 0.4
const logits = () => Float32Array.from([1, 2, 3, 4].map(Math.log));
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);

test('full distribution: inverse CDF in id order', () => {
  // u = 0.25: 0.25 − 0.1 = 0.15 ≥ 0, 0.15 − 0.2 < 0 → id 1, log 0.2.
  const c = chooseToken(logits(), {}, [], 0.25);
  assert.equal(c.token, 1);
  close(c.logprob, Math.log(0.2));
  assert.equal(chooseToken(logits(), {}, [], 0.999).token, 3);
  assert.equal(chooseToken(logits(), {}, [], 0).token, 0);
});

test('top-p keeps the smallest prefix reaching p, renormalised', () => {
  // Sorted 0.4 (id 3), 0.3 (id 2): cumulative 0.7 ≥ 0.5 → keep {3, 2}, mass 0.7.
  // u = 0.6 → target 0.42; 0.42 − 0.4 = 0.02 ≥ 0, then − 0.3 < 0 → id 2 with log(0.3/0.7).
  const c = chooseToken(logits(), { topP: 0.5 }, [], 0.6);
  assert.equal(c.token, 2);
  close(c.logprob, Math.log(0.3 / 0.7));
});

test('top-k = 1 is greedy with log-prob 0; greedy reports the unsampled log-softmax', () => {
  for (const u of [0, 0.3, 0.99]) {
    const c = chooseToken(logits(), { topK: 1 }, [], u);
    assert.equal(c.token, 3);
    close(c.logprob, 0);
  }
  const g = chooseToken(logits(), { greedy: true }, [], 0.5);
  assert.equal(g.token, 3);
  close(g.logprob, Math.log(0.4));
});

test('repetition penalty divides positive logits of seen tokens (HF/CTRL)', () => {
  // ln 4 / 2 = ln 2 → weights 1, 2, 3, 2 (sum 8): greedy picks id 2 with log(3/8).
  const c = chooseToken(logits(), { repetitionPenalty: 2, greedy: true }, [3, 3], 0);
  assert.equal(c.token, 2);
  close(c.logprob, Math.log(3 / 8));
  // A negative logit is multiplied: −1 · 2 = −2.
  const neg = Float32Array.from([-1, -1]);
  const d = chooseToken(neg, { repetitionPenalty: 2, greedy: true }, [0], 0);
  assert.equal(d.token, 1);
  close(d.logprob, -Math.log(1 + Math.exp(-1)));
});

test('temperature 0.5 squares the probabilities', () => {
  // weights 1, 4, 9, 16 (sum 30); u = 0.5 → 15: −1 −4 −9 = 1 ≥ 0, −16 < 0 → id 3, log(16/30).
  const c = chooseToken(logits(), { temperature: 0.5 }, [], 0.5);
  assert.equal(c.token, 3);
  close(c.logprob, Math.log(16 / 30));
});

test('bad sampling options are rejected with the field name', () => {
  assert.throws(() => checkSamplingOptions({ temperature: 0 }), /temperature must be > 0/);
  assert.throws(() => checkSamplingOptions({ topP: 1.5 }), /topP must be in \(0, 1\]/);
  assert.throws(() => checkSamplingOptions({ topK: -1 }), /topK must be an integer/);
});

test('top-k selection returns the first k ids of the full sort (ties by id, -Infinity last)', () => {
  // Logits from a few levels, so most ids tie with many others; ids in both orders of arrival.
  let state = 12345;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (const size of [7, 100, 1000]) {
    const logits = Float32Array.from({ length: size }, () => [-Infinity, -1, 0, 0.5, 2][Math.floor(next() * 5)]);
    const sorted = Array.from({ length: size }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
    for (const k of [1, 2, 5, 20, size - 1])
      assert.deepEqual(topKIds(logits, k), sorted.slice(0, k), `v ${size} k ${k}`);
  }
  // Worked case: [3, 1, 3, 2, 3] → the 3s in id order, then the 2.
  assert.deepEqual(topKIds(Float32Array.from([3, 1, 3, 2, 3]), 4), [0, 2, 4, 3]);
});

test('top-k sampling chooses as the full sort does (top-p and temperature on top)', () => {
  let state = 99;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const row = Float32Array.from({ length: 500 }, () => Math.round(next() * 40) / 4);
  for (const o of [{ topK: 3 }, { topK: 20, topP: 0.8, temperature: 0.7 }, { topK: 50, topP: 0.95 }]) {
    for (const u of [0, 0.1, 0.5, 0.9, 0.999]) {
      const fast = chooseToken(row.slice(), o, [], u);
      // Reference: the full sort (topK = vocabulary) over logits with everything but the sort's first k masked.
      const scaled = row.map((z) => z / (o.temperature ?? 1));
      const keep = Array.from({ length: row.length }, (_, i) => i)
        .sort((a, b) => scaled[b] - scaled[a] || a - b)
        .slice(0, o.topK);
      const masked = scaled.map((z, i) => (keep.includes(i) ? z : -Infinity));
      const reference = chooseToken(masked, { ...o, topK: row.length, temperature: 1 }, [], u);
      assert.equal(fast.token, reference.token, `${JSON.stringify(o)} u ${u}`);
      close(fast.logprob, reference.logprob);
    }
  }
});
