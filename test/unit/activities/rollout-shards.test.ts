import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shardRange } from '../../../activities/rollout-shards.ts';

test('shards cover the prompts in order, contiguous, sizes differing by at most one', () => {
  for (const prompts of [1, 4, 7, 64]) {
    for (let count = 1; count <= Math.min(prompts, 5); count++) {
      const ranges = Array.from({ length: count }, (_, index) => shardRange(prompts, { index, count }));
      assert.equal(ranges[0].from, 0);
      assert.equal(ranges.at(-1)?.to, prompts);
      for (let i = 1; i < count; i++) assert.equal(ranges[i].from, ranges[i - 1].to);
      const sizes = ranges.map((r) => r.to - r.from);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${prompts} prompts in ${count}: ${sizes}`);
      assert.ok(Math.min(...sizes) >= 1);
    }
  }
  assert.deepEqual(shardRange(5), { from: 0, to: 5 });
});

test('a shard index outside [0, count) is refused', () => {
  assert.throws(() => shardRange(4, { index: 2, count: 2 }), /shard 2 of 2/);
  assert.throws(() => shardRange(4, { index: 0, count: 0 }), /shard 0 of 0/);
});
