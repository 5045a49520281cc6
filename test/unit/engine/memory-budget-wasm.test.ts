/**
 * The memory-budget tests on wasm, whose heap stops at 4 GiB: the estimate must cover what the update really takes
 * there. And the 39 M Qwen2-shaped update of engine-vs-torch (8 × 256 tokens) fits wasm's default budget in one
 * micro-batch; running it is `OMNI_ZERO_BACKEND=wasm npm run bench -- update-memory` (minutes; docs/BENCHMARKS.md).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BENCH_MODELS } from '../../../bench/engine-vs-torch/models.ts';
import { initBackend } from '../../../engine/backend.ts';
import { defaultMemoryBudget, microBatchRows, updatePeakBytes } from '../../../engine/train/memory-budget.ts';

// The shared test helpers start the backend OMNI_ZERO_BACKEND names: make that wasm whatever the caller set.
process.env.OMNI_ZERO_BACKEND = 'wasm';
await initBackend();
await import('./memory-budget.test.ts');

test('the memory-budget tests ran on wasm', () => {
  assert.equal(tf.getBackend(), 'wasm');
});

test('wasm default budget: the 39 M update of 8 × 256 in one micro-batch, 64 × 256 in micro-batches of 25', () => {
  const config = BENCH_MODELS['qwen2-40m'].config;
  // P = 39,336,448: fixed 4P + tied head 512·32,768 = 174,123,008. N = 8·255 = 2,040: layer
  // 68·2040·512 + 25·2040·1408 + 11·2040·8·255 = 188,610,240 (head 159,350,784 is smaller), inputs 9·2040·512
  // = 9,400,320 → 372,133,568 floats = 1,488,534,272 bytes.
  assert.equal(updatePeakBytes(config, 8, 256), 1_488_534_272);
  const budget = defaultMemoryBudget(tf.getBackend());
  assert.equal(microBatchRows(config, new Array(8).fill(256), 8, budget), 8);
  // Each row adds 68·255·512 + 25·255·1408 + 11·255·8·255 + 9·255·512 = 24,751,320 floats; 3 GiB is 805,306,368
  // floats: (805,306,368 − 174,123,008) / 24,751,320 = 25.5 rows.
  assert.equal(microBatchRows(config, new Array(64).fill(256), 64, budget), 25);
});
