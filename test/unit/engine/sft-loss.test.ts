import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { disposeParams, initParams } from '../../../engine/model/init.ts';
import { toTokenBatch } from '../../../engine/train/batch.ts';
import { scoreTokensNoGrad } from '../../../engine/train/logprobs.ts';
import { maskedTokenNll, sftLoss } from '../../../engine/train/sft-loss.ts';
import { microConfig } from './_helpers.ts';

test('hand-computed: the mean −log p over the masked-in tokens only', () => {
  // Row 0 scores p = 1/2 and 1/4; row 1 scores p = 0.8 and masks out a p = 0.1 token (a prompt or pad position).
  const logprobs = tf.tensor2d([
    [Math.log(0.9), Math.log(0.5), Math.log(0.25)],
    [Math.log(0.3), Math.log(0.8), Math.log(0.1)],
  ]);
  const loss = maskedTokenNll(logprobs, [
    [0, 1, 1],
    [0, 1, 0],
  ]);
  // (ln 2 + ln 4 − ln 0.8) / 3 = (0.693147 + 1.386294 + 0.223144) / 3 = 0.767528
  assert.ok(Math.abs(loss.dataSync()[0] - 0.767528) < 1e-5, String(loss.dataSync()[0]));
  tf.dispose([logprobs, loss]);
});

test('no scored token is an error, not a division by zero', () => {
  const logprobs = tf.zeros([1, 3]);
  assert.throws(() => maskedTokenNll(logprobs, [[0, 0, 0]]), /no scored tokens/);
  logprobs.dispose();
});

test('on a real model: the prompt is context only, the loss averages the response tokens', () => {
  const config = microConfig();
  const params = initParams(config, 5, { std: 0.3 });
  const rows = [
    { prompt: [1, 2, 3], response: [4, 5] },
    { prompt: [1, 6], response: [7, 8, 9] },
  ];
  const batch = toTokenBatch(rows, 0);
  assert.deepEqual(batch.mask, [
    [0, 0, 0, 1, 1],
    [0, 0, 1, 1, 1],
  ]);
  const { logprobs } = scoreTokensNoGrad(params, config, batch);
  const byHand = -(logprobs[0][3] + logprobs[0][4] + logprobs[1][2] + logprobs[1][3] + logprobs[1][4]) / 5;
  const loss = sftLoss(params, config, batch);
  assert.ok(Math.abs(loss.dataSync()[0] - byHand) < 1e-5, `${loss.dataSync()[0]} vs ${byHand}`);
  // A prompt token's own log-probability never enters: the loss differs from the all-tokens mean.
  const allTokens = -(logprobs[0].slice(1).reduce((a, b) => a + b) + logprobs[1].slice(1).reduce((a, b) => a + b)) / 8;
  assert.ok(Math.abs(allTokens - byHand) > 1e-3);
  loss.dispose();
  disposeParams(params);
});
