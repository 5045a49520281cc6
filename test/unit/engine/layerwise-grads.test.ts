/**
 * The layer-wise gradient pass (engine/train/layerwise-grads.ts) against the tape's (engine/train/tape-grads.ts, one
 * tf.variableGrads over the whole model): same loss, same gradients for every parameter, on a 2-layer model with every optional part (q/k/v bias, q/k norm,
 * tied head, GQA) and a chunked head; and a lower tensor peak than the tape on a longer batch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { cloneParams, disposeParams, initParams } from '../../../engine/model/init.ts';
import { layerwiseGradients } from '../../../engine/train/layerwise-grads.ts';
import { scoresOfHidden, type TokenBatch, trunkIds } from '../../../engine/train/logprobs.ts';
import { tapeGradients } from '../../../engine/train/tape-grads.ts';
import type { ModelConfig, Params } from '../../../engine/types.ts';
import { backend, gradientCheckBatch, gradientCheckConfig, microConfig } from './_helpers.ts';

const config: ModelConfig = gradientCheckConfig({ maxPositions: 64 });

const batch = gradientCheckBatch;

/** Σ w·log p + ½ Σ w·H with uneven weights, so both the log-prob and the entropy gradients are exercised. */
function lossOfScores(s: { logprobs: tf.Tensor; entropy: tf.Tensor }, b: TokenBatch): tf.Scalar {
  const w = tf.tensor2d(b.mask.map((row, i) => row.map((m, t) => m * (0.3 + 0.1 * i + 0.05 * t))));
  return s.logprobs.mul(w).sum().add(s.entropy.mul(w).sum().mul(0.5)) as tf.Scalar;
}
const opts = { chunkRows: 4, temperature: 0.9 };

function tape(params: Params, b: TokenBatch) {
  return tapeGradients(params, config, trunkIds(b), (hidden) =>
    lossOfScores(scoresOfHidden(params, config, hidden, b, opts), b)
  );
}

function layerwise(params: Params, b: TokenBatch, c: ModelConfig = config) {
  return layerwiseGradients(params, c, trunkIds(b), (hidden) =>
    lossOfScores(scoresOfHidden(params, c, hidden, b, opts), b)
  );
}

test(`layer-wise gradients equal the whole-model tape's for every parameter (${backend.name})`, () => {
  const params = initParams(config, 11, { std: 0.3 });
  const before = tf.memory().numTensors;
  const plain = tape(params, batch);
  const ours = layerwise(params, batch);
  assert.ok(Math.abs(plain.loss - ours.loss) <= 1e-6 * Math.abs(plain.loss), `${plain.loss} vs ${ours.loss}`);
  assert.deepEqual([...ours.grads.keys()].sort(), [...params.keys()].sort());
  assert.deepEqual([...plain.grads.keys()].sort(), [...params.keys()].sort());
  for (const [name, g] of plain.grads) {
    const a = g.dataSync() as Float32Array;
    const b = ours.grads.get(name)!.dataSync() as Float32Array;
    const scale = a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    assert.ok(scale > 0, `${name} has a gradient`);
    const diff = a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
    assert.ok(diff <= 1e-5 * scale, `${name}: differs by ${diff} (largest ${scale})`);
  }
  tf.dispose([...plain.grads.values(), ...ours.grads.values()]);
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  disposeParams(params);
});

for (const [name, pass] of [
  ['layer-wise', layerwise],
  ['tape', tape],
] as const) {
  test(`${name}: frozen parameters get no gradient; the others are unchanged by freezing`, () => {
    const params = initParams(config, 5, { std: 0.3 });
    const all = pass(params, batch);
    const frozen = cloneParams(params, false);
    for (const [name, v] of frozen) if (name.includes('layers.1.')) params.set(name, v);
    const some = pass(params, batch);
    assert.ok(![...some.grads.keys()].some((n) => n.includes('layers.1.')));
    assert.equal(some.grads.size, all.grads.size - [...params.keys()].filter((n) => n.includes('layers.1.')).length);
    const e = (m: Map<string, tf.Tensor>) => m.get('model.embed_tokens.weight')!.dataSync();
    assert.deepEqual(e(some.grads), e(all.grads));
    tf.dispose([...all.grads.values(), ...some.grads.values()]);
    for (const [name, v] of frozen) if (!name.includes('layers.1.')) v.dispose();
    disposeParams(params);
  });
}

test('layer-wise: the tensor peak is a fraction of the tape’s on 4 layers × 8 rows × 96 tokens', async () => {
  const c = microConfig({ numLayers: 4, maxPositions: 128 });
  const params = initParams(c, 3);
  const ids = Array.from({ length: 8 }, (_, r) => Array.from({ length: 96 }, (_, t) => 1 + ((r * 7 + t * 3) % 12)));
  const long: TokenBatch = { ids, mask: ids.map((row) => row.map((_, t) => (t > 4 ? 1 : 0))) };
  const peak = async (work: () => Map<string, tf.Tensor>) => {
    const base = tf.memory().numBytes;
    let grads = new Map<string, tf.Tensor>();
    const info = await tf.profile(() => {
      grads = work();
    });
    tf.dispose([...grads.values()]);
    return info.peakBytes - base;
  };
  const whole = await peak(
    () =>
      tapeGradients(params, c, trunkIds(long), (h) =>
        lossOfScores(scoresOfHidden(params, c, h, long, { temperature: 0.9 }), long)
      ).grads
  );
  const ours = await peak(
    () =>
      layerwiseGradients(params, c, trunkIds(long), (h) =>
        lossOfScores(scoresOfHidden(params, c, h, long, { temperature: 0.9 }), long)
      ).grads
  );
  assert.ok(ours < 0.5 * whole, `layer-wise peak ${ours} bytes vs tape ${whole}`);
  disposeParams(params);
});
