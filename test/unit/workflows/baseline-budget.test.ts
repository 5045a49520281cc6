import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anotherChunkFits, sftBudget } from '../../../workflows/baseline-budget.ts';

test('SFT gets GRPO’s optimiser steps and mini-batch sequences', () => {
  // 24 RL steps, 2 mini-batches × 1 epoch each; a mini-batch is 4 prompts × 8 responses.
  assert.deepEqual(sftBudget(24, { optimizerStepsPerStep: 2, miniBatchPrompts: 4, groupSize: 8 }), {
    steps: 48,
    batchSize: 32,
    sequences: 1536,
  });
  // GZ's on-policy shape: one optimiser step per RL step on the whole batch.
  assert.deepEqual(sftBudget(3, { optimizerStepsPerStep: 1, miniBatchPrompts: 2, groupSize: 2 }), {
    steps: 3,
    batchSize: 4,
    sequences: 12,
  });
});

test('a chunk runs while the time so far, the next chunk and the final evaluation fit the budget', () => {
  const b = { budgetMs: 60_000, evaluationMs: 5_000, lastChunkMs: 10_000 };
  assert.equal(anotherChunkFits({ ...b, elapsedMs: 45_000 }, 3), true); // 45 + 10 + 5 = 60
  assert.equal(anotherChunkFits({ ...b, elapsedMs: 45_001 }, 3), false);
  // The first chunk always runs, even over budget.
  assert.equal(anotherChunkFits({ ...b, elapsedMs: 90_000, lastChunkMs: 0 }, 0), true);
  assert.equal(anotherChunkFits({ ...b, elapsedMs: 90_000 }, 1), false);
});
