import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { groupAdvantages } from '../../../rl/advantages.ts';
import { aggregateLoss, type LossAggregationName } from '../../../rl/aggregation.ts';
import { overlongPenalty } from '../../../rl/overlong.ts';
import { ppoClipTerm } from '../../../rl/policy-loss.ts';
import { assertAllClose, assertClose } from './close.ts';

// rl-anchors Ex 2: seq A = [1, 3], seq B = [1, 1, 1, 1]; L = 4.
const EX2 = [
  [1, 3],
  [1, 1, 1, 1],
];

test('Ex 2 aggregation modes', () => {
  assert.equal(aggregateLoss('token-mean', EX2), 8 / 6); // (1+3+1+1+1+1)/6
  assert.equal(aggregateLoss('seq-mean-token-mean', EX2), 1.5); // (4/2 + 4/4)/2
  assert.equal(aggregateLoss('seq-mean-token-sum', EX2), 4); // (4 + 4)/2
  assert.equal(aggregateLoss('constant-normaliser', EX2, { constant: 4 }), 2); // 8/4
  assert.equal(aggregateLoss('dr-grpo', EX2, { constant: 4 }), 1); // 8/(2·4)
});

test('Ex 2 policy-gradient variant: token-mean sees the length, seq-mean-token-mean does not', () => {
  // r = 1; short seq A = +1 (2 tokens), long seq A = −1 (4 tokens); per-token loss = −A.
  const pg = [
    [-1, -1],
    [1, 1, 1, 1],
  ];
  assertClose(aggregateLoss('token-mean', pg), 0.333333); // (−2 + 4)/6
  assert.equal(aggregateLoss('seq-mean-token-mean', pg), 0); // (−1 + 1)/2
});

test('a mask drops padding; sequences with no valid token do not count in B', () => {
  const losses = [
    [1, 3, 99, 99],
    [1, 1, 1, 1],
    [7, 7, 7, 7],
  ];
  const mask = [
    [1, 1, 0, 0],
    [1, 1, 1, 1],
    [0, 0, 0, 0],
  ];
  assert.equal(aggregateLoss('token-mean', losses, { mask }), 8 / 6);
  assert.equal(aggregateLoss('seq-mean-token-mean', losses, { mask }), 1.5);
  assert.equal(aggregateLoss('dr-grpo', losses, { mask, constant: 4 }), 1); // B = 2, not 3
  assert.throws(() => aggregateLoss('token-mean', losses, { mask: mask.slice(1) }), /mask: has 2 sequences/);
  assert.throws(() => aggregateLoss('token-mean', losses, { mask: [[1], [1], [1]] }), /mask\[0\]: has 1 tokens/);
});

test('a non-finite token loss is named by position; a masked one is ignored', () => {
  assert.throws(() => aggregateLoss('token-mean', [[1], [2, Number.NaN]]), /losses\[1\]\[1\]: must be a finite number/);
  assert.equal(aggregateLoss('token-mean', [[1, Number.NaN]], { mask: [[1, 0]] }), 1);
  assert.throws(() => aggregateLoss('token-mean', [[1e308, 1e308]]), /losses\[0\]: the token losses overflow/);
});

test('an empty batch aggregates to 0, not NaN', () => {
  for (const mode of ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum'] as const) {
    assert.equal(aggregateLoss(mode, []), 0);
    assert.equal(aggregateLoss(mode, [[]]), 0);
  }
});

test('the Dr. GRPO normaliser must be a fixed number: missing or window-like values are rejected', () => {
  assert.throws(() => aggregateLoss('constant-normaliser', EX2), /aggregation\.constant: must be a fixed positive/);
  assert.throws(() => aggregateLoss('dr-grpo', EX2, { constant: 'window' as never }), /got window/);
  assert.throws(() => aggregateLoss('dr-grpo', EX2, { constant: 0 }), /aggregation\.constant/);
  assert.throws(() => aggregateLoss('mean' as LossAggregationName, EX2), /aggregation\.mode: unknown name 'mean'/);
});

test('a global count smaller than the micro-batch’s own is a caller bug', () => {
  assert.throws(
    () => aggregateLoss('token-mean', EX2, { globalTokens: 5 }),
    /globalTokens: is 5 but this micro-batch alone has 6/
  );
  assert.throws(() => aggregateLoss('seq-mean-token-mean', EX2, { globalSequences: 1 }), /globalSequences/);
});

test('gradient accumulation: micro-batch losses with the global count add up to the whole batch’s', () => {
  // Ex 2 split in two micro-batches. Global tokens 6: 4/6 + 4/6 = 8/6. Dividing each by its own count instead
  // (the bug) would give 4/2 + 4/4 = 3.
  const parts = [[EX2[0]], [EX2[1]]];
  const sum = parts.reduce((s, p) => s + aggregateLoss('token-mean', p, { globalTokens: 6 }), 0);
  assertClose(sum, 8 / 6, 1e-15);
  fc.assert(
    fc.property(
      fc.array(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 8 }), {
        minLength: 1,
        maxLength: 12,
      }),
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom<LossAggregationName>('token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum', 'dr-grpo'),
      (batch, microSize, mode) => {
        const globalTokens = batch.reduce((s, q) => s + q.length, 0);
        const options = { globalTokens, globalSequences: batch.length, constant: 4096 };
        let accumulated = 0;
        for (let i = 0; i < batch.length; i += microSize) {
          accumulated += aggregateLoss(mode, batch.slice(i, i + microSize), options);
        }
        assertClose(accumulated, aggregateLoss(mode, batch, { constant: 4096 }), 1e-9);
      }
    )
  );
});

test('Ex 6 end to end: rewards → GRPO advantages → on-policy token losses → aggregation', () => {
  // Scores 1, 1, 0, 0 plus the DAPO overlong penalty (L_max 2048, L_buf 512): 0, −0.515625, 0, −1.
  const lengths = [800, 1800, 600, 2048];
  const rewards = [1, 1, 0, 0].map((score, i) => score + overlongPenalty(lengths[i], { maxTokens: 2048, buffer: 512 }));
  assert.deepEqual(rewards, [1.0, 0.484375, 0.0, -1.0]);
  const advantages = groupAdvantages(rewards); // mean 0.121094, std 0.851658
  assertAllClose(advantages, [1.031993, 0.426557, -0.142186, -1.316364]);
  assertAllClose(groupAdvantages(rewards, { estimator: 'drgrpo' }), [0.878906, 0.363281, -0.121094, -1.121094]);
  const losses = advantages.map((A, i) => new Array<number>(lengths[i]).fill(ppoClipTerm(1, A).loss));
  // token-mean: −Σ A_i·|o_i| / 5248 = 1187.83/5248 = 0.226339; seq-mean-token-mean: −mean(A) = 0.
  assertClose(aggregateLoss('token-mean', losses), 0.226339);
  assertClose(aggregateLoss('seq-mean-token-mean', losses), 0, 1e-12);
});
