import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { SandboxPool } from '../../../rewards/sandbox/pool.ts';

test('never runs more jobs than its size, and runs them all', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 20 }),
      async (size, delays) => {
        const pool = new SandboxPool(size);
        let peak = 0;
        const results = await Promise.all(
          delays.map((d, i) =>
            pool.run(async () => {
              peak = Math.max(peak, pool.running);
              await sleep(d);
              return i;
            })
          )
        );
        assert.ok(peak <= size, `peak ${peak} > size ${size}`);
        assert.deepEqual(
          results,
          delays.map((_, i) => i)
        );
        assert.equal(pool.running, 0);
      }
    ),
    { numRuns: 30 }
  );
});

test('a failing job frees its slot', async () => {
  const pool = new SandboxPool(1);
  await assert.rejects(
    pool.run(async () => Promise.reject(new Error('boom'))),
    /boom/
  );
  assert.equal(await pool.run(async () => 7), 7);
  assert.equal(pool.running, 0);
});

test('jobs start in the order they were queued', async () => {
  const pool = new SandboxPool(1);
  const order: number[] = [];
  await Promise.all([0, 1, 2, 3].map((i) => pool.run(async () => order.push(i))));
  assert.deepEqual(order, [0, 1, 2, 3]);
});

test('rejects a size that is not a whole number ≥ 1', () => {
  assert.throws(() => new SandboxPool(0), /whole number/);
  assert.throws(() => new SandboxPool(1.5), /whole number/);
});
