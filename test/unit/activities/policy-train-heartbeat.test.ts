/**
 * The update activity heartbeats from Policy.train's progress callback; that only reaches Temporal if the event
 * loop runs during the update. A synchronous update (the old grpoUpdate path) lets no timer fire until it returns.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend } from '../../../engine/backend.ts';
import { Policy } from '../../../engine/policy.ts';

test('Policy.train yields to the event loop after every micro-batch and reports progress', async () => {
  await initBackend({ force: process.env.OMNI_ZERO_BACKEND || 'cpu' });
  const policy = Policy.create({
    preset: 'micro',
    tokenizer: { type: 'byte', tagTokens: [] },
    seed: 1,
    learningRate: 1e-3,
  });
  try {
    const samples = [1, -1, 0.5, -0.5].map((advantage, i) => ({
      prompt: [1, 2, 3 + i],
      response: [4, 5, 6],
      advantage,
    }));
    const progress: number[] = [];
    let timersFired = 0;
    const beat = setInterval(() => timersFired++, 0);
    const metrics = await policy
      .train(samples, { learningRate: 1e-3, microBatchSize: 1, onProgress: (p) => progress.push(p.microBatchesDone) })
      .finally(() => clearInterval(beat));
    // 4 samples, one mini-batch, micro-batches of 1: progress after each of the 4.
    assert.deepEqual(progress, [1, 2, 3, 4]);
    assert.ok(timersFired >= 1, 'a timer (a heartbeat flush) ran while the update was in progress');
    assert.ok(Number.isFinite(metrics.loss));
    assert.equal(policy.step, 1);
  } finally {
    policy.dispose();
  }
});
