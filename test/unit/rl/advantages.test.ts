import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { batchAdvantages, dynamicSamplingKeep, groupAdvantages, groupKey } from '../../../rl/advantages.ts';
import { assertAllClose } from './close.ts';

// rl-anchors §2.8 Ex 1 (numpy, ddof = 1). Values there are rounded to 6 decimals, hence the 1e-6 tolerance.

test('Ex 1 [1,0,0,1]: mean .5, sample std √(1/3) = .577350 → ±.5/.577351 = ±0.866024', () => {
  assertAllClose(groupAdvantages([1, 0, 0, 1]), [0.866024, -0.866024, -0.866024, 0.866024]);
  // TRL's ε = 1e-4: .5/(.577350 + .0001) = 0.865875
  assertAllClose(groupAdvantages([1, 0, 0, 1], { epsilon: 1e-4 }), [0.865875, -0.865875, -0.865875, 0.865875]);
  assertAllClose(groupAdvantages([1, 0, 0, 1], { estimator: 'drgrpo' }), [0.5, -0.5, -0.5, 0.5]);
  // RLOO: 4/3 · ±.5 = ±0.666667
  assertAllClose(groupAdvantages([1, 0, 0, 1], { estimator: 'rloo' }), [0.666667, -0.666667, -0.666667, 0.666667]);
});

test('Ex 1 [1,0,0,0]: mean .25, std .5 → .75/.5 = 1.5, −.25/.5 = −.5', () => {
  assertAllClose(groupAdvantages([1, 0, 0, 0]), [1.499997, -0.499999, -0.499999, -0.499999]);
  assertAllClose(groupAdvantages([1, 0, 0, 0], { epsilon: 1e-4 }), [1.4997, -0.4999, -0.4999, -0.4999], 1e-4);
  assertAllClose(groupAdvantages([1, 0, 0, 0], { estimator: 'drgrpo' }), [0.75, -0.25, -0.25, -0.25]);
  // RLOO: 1 − mean(0,0,0) = 1; 0 − mean(1,0,0) = −1/3
  assertAllClose(groupAdvantages([1, 0, 0, 0], { estimator: 'rloo' }), [1, -0.333333, -0.333333, -0.333333]);
});

test('Ex 1 six rewards: mean .5, std .389872', () => {
  const r = [0.9, 0.2, 0.5, 0.0, 1.0, 0.4];
  assertAllClose(groupAdvantages(r), [1.025976, -0.769482, 0, -1.28247, 1.28247, -0.256494]);
  assertAllClose(groupAdvantages(r, { epsilon: 1e-4 }), [1.025715, -0.769286, 0, -1.282144, 1.282144, -0.256429]);
  assertAllClose(groupAdvantages(r, { estimator: 'drgrpo' }), [0.4, -0.3, 0, -0.5, 0.5, -0.1]);
  // RLOO = 6/5 · Dr.GRPO
  assertAllClose(groupAdvantages(r, { estimator: 'rloo' }), [0.48, -0.36, 0, -0.6, 0.6, -0.12]);
});

test('Ex 1 [1,1,1,1]: zero-variance group → all 0 for every estimator, even with ε = 0', () => {
  for (const estimator of ['grpo', 'drgrpo', 'rloo'] as const) {
    assert.deepEqual(groupAdvantages([1, 1, 1, 1], { estimator }), [0, 0, 0, 0]);
  }
  assert.deepEqual(groupAdvantages([1, 1, 1, 1], { epsilon: 0 }), [0, 0, 0, 0], 'not 0/0 = NaN');
});

test('Ex 1 singleton [0.7]: 0 by default; verl’s rule (mean 0, std 1) on request', () => {
  assert.deepEqual(groupAdvantages([0.7]), [0]);
  assertAllClose(groupAdvantages([0.7], { singleton: 'raw' }), [0.699999]); // 0.7/(1 + 1e-6)
  assert.deepEqual(groupAdvantages([0.7], { singleton: 'raw', estimator: 'drgrpo' }), [0.7]);
});

test('bad input is named', () => {
  assert.throws(() => groupAdvantages([]), /at least one reward/);
  assert.throws(() => groupAdvantages([1, Number.NaN]), /rewards\[1\]/);
  assert.throws(
    () => groupAdvantages([1, 0], { estimator: 'ppo' as never }),
    /advantage\.estimator: unknown name 'ppo'/
  );
  assert.throws(() => groupAdvantages([1, 0], { epsilon: -1 }), /advantage\.epsilon/);
});

test('Ex 8 dynamic-sampling keep predicate (std > 0)', () => {
  assert.equal(dynamicSamplingKeep([1, 1, 1, 1]), false);
  assert.equal(dynamicSamplingKeep([0, 0, 0, 0]), false);
  assert.equal(dynamicSamplingKeep([1, 0, 0, 0]), true);
  assert.equal(dynamicSamplingKeep([0.5, 0.5, 0.5, 0.5]), false); // OpenRLHF's 0 < mean < 1 would keep it
  assert.equal(dynamicSamplingKeep([0.7]), false); // documented difference from verl, which keeps size-1 groups
});

test('joint batch: groups are (task, prompt), so two tasks sharing a prompt id never mix', () => {
  const r = batchAdvantages([
    { task: 'math', prompt: 'p1', reward: 1 },
    { task: 'writing', prompt: 'p1', reward: 3 },
    { task: 'math', prompt: 'p1', reward: -1 },
    { task: 'writing', prompt: 'p1', reward: 3 },
  ]);
  // math p1: [1, −1], mean 0, std √2 → ±1/1.414214 = ±0.707106; writing p1: [3, 3] → 0, 0.
  // Grouping by prompt alone would give [1, −1, 3, 3] → mean 1.5, different values.
  const a = 1 / (Math.SQRT2 + 1e-6);
  assertAllClose(r.advantages, [a, 0, -a, 0], 1e-12);
  assert.equal(r.groups, 2);
  assert.equal(r.zeroVarianceGroups, 1);
  assert.equal(r.zeroVarianceFraction, 0.5);
  assert.deepEqual(r.perTask, {
    math: { groups: 1, zeroVarianceGroups: 0, zeroVarianceFraction: 0 },
    writing: { groups: 1, zeroVarianceGroups: 1, zeroVarianceFraction: 1 },
  });
  assert.notEqual(groupKey('a', 1), groupKey('a', '1'));
  assert.notEqual(groupKey('a,b', 'c'), groupKey('a', 'b,c'));
});

test("scope 'task-batch': the mean stays per group, the std is the task's over the whole batch", () => {
  const samples = [
    { task: 'math', prompt: 1, reward: 1 },
    { task: 'math', prompt: 1, reward: 0 },
    { task: 'math', prompt: 2, reward: 1 },
    { task: 'math', prompt: 2, reward: 1 },
    { task: 'qa', prompt: 1, reward: 5 },
    { task: 'qa', prompt: 1, reward: -5 },
  ];
  // math rewards [1, 0, 1, 1]: mean .75, sample std √((3·.0625 + .5625)/3) = √.25 = .5.
  // Group 1 mean .5 → ±.5/(.5 + 1e-6) = ±0.999998; group 2 all equal → 0.
  // qa [5, −5]: std √50 = 7.071068 → ±5/7.071069 = ±0.707107, the same as its group scope.
  const qa = 5 / (Math.sqrt(50) + 1e-6);
  const r = batchAdvantages(samples, { scope: 'task-batch' });
  assertAllClose(r.advantages, [0.999998, -0.999998, 0, 0, qa, -qa]);
  // With the default group scope, math group 1 uses its own std √.5 = .707107 → ±0.707106.
  const own = 0.5 / (Math.sqrt(0.5) + 1e-6);
  assertAllClose(batchAdvantages(samples).advantages, [own, -own, 0, 0, qa, -qa], 1e-12);
  // Dr. GRPO has no std, so the scope changes nothing.
  assert.deepEqual(
    batchAdvantages(samples, { scope: 'task-batch', estimator: 'drgrpo' }).advantages,
    batchAdvantages(samples, { estimator: 'drgrpo' }).advantages
  );
  assert.throws(() => batchAdvantages(samples, { scope: 'batch' as never }), /advantage\.scope/);
});

test('joint batch: an empty batch has no groups and a zero fraction, not NaN', () => {
  assert.deepEqual(batchAdvantages([]), {
    advantages: [],
    groups: 0,
    zeroVarianceGroups: 0,
    zeroVarianceFraction: 0,
    perTask: {},
  });
});

const rewardsArb = fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 2, maxLength: 16 });

test('property: GRPO advantages sum to 0 and ignore a constant shift of the rewards', () => {
  fc.assert(
    fc.property(rewardsArb, fc.double({ min: -3, max: 3, noNaN: true }), (rewards, shift) => {
      const a = groupAdvantages(rewards);
      assert.ok(Math.abs(a.reduce((s, x) => s + x, 0)) < 1e-6);
      assertAllClose(groupAdvantages(rewards.map((r) => r + shift)), a, 1e-5);
    })
  );
});

test('property: RLOO = G/(G−1) · Dr. GRPO, and a batch of one task equals its groups done one by one', () => {
  fc.assert(
    fc.property(rewardsArb, rewardsArb, (g1, g2) => {
      const dr = groupAdvantages(g1, { estimator: 'drgrpo' });
      assertAllClose(
        groupAdvantages(g1, { estimator: 'rloo' }),
        dr.map((x) => (x * g1.length) / (g1.length - 1)),
        1e-9
      );
      const samples = [
        ...g1.map((reward) => ({ task: 't', prompt: 0, reward })),
        ...g2.map((reward) => ({ task: 't', prompt: 1, reward })),
      ];
      assertAllClose(batchAdvantages(samples).advantages, [...groupAdvantages(g1), ...groupAdvantages(g2)], 0);
    })
  );
});
