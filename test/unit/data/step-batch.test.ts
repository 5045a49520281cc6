import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { epochOrder, stepBatch } from '../../../data/step-batch.ts';

test('a single-task stage walks one seeded permutation, then the next epoch, with no repeats inside an epoch', () => {
  let cursor = {};
  const seen: number[] = [];
  // 10 rows, 4 per step: steps 0,1 take 8 rows of epoch 0; step 2 takes the last 2 of epoch 0 and 2 of epoch 1.
  for (let step = 0; step < 3; step++) {
    const b = stepBatch({ trainSizes: { math: 10 }, mixture: { math: 1 }, count: 4, seed: 7, step, cursor });
    seen.push(...b.picks.map((p) => p.row));
    cursor = b.cursor;
  }
  assert.deepEqual(new Set(seen.slice(0, 10)).size, 10, 'the first 10 picks are epoch 0: every row once');
  assert.deepEqual(seen.slice(0, 10), epochOrder(10, 7, 'math', 0));
  assert.deepEqual(seen.slice(10), epochOrder(10, 7, 'math', 1).slice(0, 2));
  assert.deepEqual(cursor, { math: { epoch: 1, offset: 2 } });
});

test('resuming from a saved cursor takes exactly the rows the uninterrupted run takes', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 12 }), (seed, steps) => {
      const sizes = { code: 5, math: 7 };
      const mixture = { code: 1, math: 2 };
      let straight = {};
      const rowsStraight: string[] = [];
      for (let step = 0; step < steps; step++) {
        const b = stepBatch({ trainSizes: sizes, mixture, count: 3, seed, step, cursor: straight });
        rowsStraight.push(...b.picks.map((p) => `${p.task}:${p.row}`));
        straight = b.cursor;
      }
      // "Crash" after half the steps: continue from the JSON round-tripped cursor.
      let resumed = {};
      const rowsResumed: string[] = [];
      const half = Math.floor(steps / 2);
      for (let step = 0; step < steps; step++) {
        if (step === half) resumed = JSON.parse(JSON.stringify(resumed));
        const b = stepBatch({ trainSizes: sizes, mixture, count: 3, seed, step, cursor: resumed });
        rowsResumed.push(...b.picks.map((p) => `${p.task}:${p.row}`));
        resumed = b.cursor;
      }
      assert.deepEqual(rowsResumed, rowsStraight);
      assert.deepEqual(resumed, straight);
    })
  );
});

test('a task without rows is an error that names it', () => {
  assert.throws(
    () => stepBatch({ trainSizes: { qa: 0 }, mixture: { qa: 1 }, count: 1, seed: 0, step: 0, cursor: {} }),
    /task 'qa' has no training rows/
  );
});

test("an extra draw continues the step's cursor with a task mix of its own; draw 0 is the step's batch", () => {
  const sizes = { code: 50, math: 50 };
  const mixture = { code: 1, math: 1 };
  const at = (draw: number | undefined, cursor = {}) =>
    stepBatch({
      trainSizes: sizes,
      mixture,
      count: 8,
      seed: 3,
      step: 4,
      cursor,
      ...(draw === undefined ? {} : { draw }),
    });
  assert.deepEqual(at(0), at(undefined), 'draw 0 is exactly the batch without draws');
  const first = at(undefined);
  const second = at(1, first.cursor);
  // The second draw takes each task's next rows in its epoch order: none repeats the first draw's.
  const taken = (b: ReturnType<typeof at>) => b.picks.map((p) => `${p.task}:${p.row}`);
  assert.equal(new Set([...taken(first), ...taken(second)]).size, 16);
  for (const task of ['code', 'math'] as const)
    assert.equal(
      second.cursor[task].offset,
      first.picks.filter((p) => p.task === task).length + second.picks.filter((p) => p.task === task).length
    );
  // Its task order comes from its own stream: over a few seeds, some draw-1 mix differs from the same-cursor draw 0.
  const differs = [1, 2, 3, 4, 5].some((seed) => {
    const a = stepBatch({ trainSizes: sizes, mixture, count: 8, seed, step: 4, cursor: {} });
    const b = stepBatch({ trainSizes: sizes, mixture, count: 8, seed, step: 4, cursor: {}, draw: 1 });
    return a.picks.map((p) => p.task).join() !== b.picks.map((p) => p.task).join();
  });
  assert.ok(differs);
});
