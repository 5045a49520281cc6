import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { mixtureCounts, sampleTasks } from '../../../rl/mixture.ts';

test('largest remainder: {a:5, b:3, c:2} of 7 → exact 3.5/2.1/1.4 → floors 3/2/1, the spare slot to a', () => {
  assert.deepEqual(mixtureCounts({ a: 5, b: 3, c: 2 }, 7, 1, 0), { a: 4, b: 2, c: 1 });
  assert.deepEqual(mixtureCounts({ c: 2, a: 5, b: 3 }, 7, 1, 0), { a: 4, b: 2, c: 1 }, 'key order is irrelevant');
  assert.deepEqual(mixtureCounts({ math: 1, code: 0 }, 4, 1, 0), { code: 0, math: 4 });
  assert.deepEqual(mixtureCounts({ math: 1 }, 0, 1, 0), { math: 0 });
});

test('equal weights: the short task rotates between steps instead of always being the same one', () => {
  const shortTasks = new Set<string>();
  for (let step = 0; step < 30; step++) {
    const counts = mixtureCounts({ code: 1, math: 1, qa: 1 }, 128, 7, step);
    assert.deepEqual(Object.values(counts).sort(), [42, 43, 43]); // 128 = 3·42 + 2
    for (const [task, n] of Object.entries(counts)) if (n === 42) shortTasks.add(task);
  }
  assert.equal(shortTasks.size, 3);
});

test('sampleTasks: the counts of mixtureCounts, shuffled, reproducible from (seed, step)', () => {
  const mix = { code: 1, math: 2, qa: 1, writing: 4 };
  const slots = sampleTasks(mix, 16, 42, 3);
  assert.equal(slots.length, 16);
  const tally: Record<string, number> = {};
  for (const t of slots) tally[t] = (tally[t] ?? 0) + 1;
  assert.deepEqual(tally, { code: 2, math: 4, qa: 2, writing: 8 }); // 16·(1,2,1,4)/8
  assert.deepEqual(sampleTasks(mix, 16, 42, 3), slots);
  assert.notDeepEqual(sampleTasks(mix, 16, 42, 4), slots, 'another step, another order');
  assert.notDeepEqual(sampleTasks(mix, 16, 43, 3), slots, 'another seed, another order');
  assert.notDeepEqual(slots, [...slots].sort(), 'shuffled, not grouped');
});

test('bad mixtures are rejected with the task named', () => {
  assert.throws(() => mixtureCounts({}, 4, 0, 0), /mixture: needs at least one task/);
  assert.throws(() => mixtureCounts({ a: -1, b: 2 }, 4, 0, 0), /mixture\.a: weight must be >= 0/);
  assert.throws(() => mixtureCounts({ a: 0 }, 4, 0, 0), /at least one task needs a weight > 0/);
  assert.throws(() => mixtureCounts({ a: Number.NaN }, 4, 0, 0), /mixture\.a/);
  assert.throws(() => sampleTasks({ a: 1 }, 2.5, 0, 0), /count/);
});

test('property: counts sum to count and each is within 1 of its exact share', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.double({ min: 0.01, max: 100, noNaN: true }), {
        minKeys: 1,
        maxKeys: 6,
      }),
      fc.integer({ min: 0, max: 512 }),
      fc.integer(),
      fc.nat(),
      (mix, count, seed, step) => {
        const counts = mixtureCounts(mix, count, seed, step);
        const total = Object.values(mix).reduce((s, w) => s + w, 0);
        assert.equal(
          Object.values(counts).reduce((s, n) => s + n, 0),
          count
        );
        for (const [t, n] of Object.entries(counts)) assert.ok(Math.abs(n - (count * mix[t]) / total) < 1);
      }
    )
  );
});
