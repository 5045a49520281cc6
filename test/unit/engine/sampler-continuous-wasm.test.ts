/** Continuous batching on the wasm backend: the same tokens as one static batch, log-probs to float noise. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';

process.env.CONTINUOUS_BACKEND = 'wasm';
await import('./sampler-continuous.test.ts');

test('the continuous-batching tests ran on wasm', () => {
  assert.equal(tf.getBackend(), 'wasm');
});
