import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { disposeFused, fuseProjections, rotateHalfSource } from '../../../engine/model/fused.ts';
import { disposeParams, initParams } from '../../../engine/model/init.ts';
import { flatRotaryTables } from '../../../engine/model/ops.ts';
import { disposeCache, forward, lmHead } from '../../../engine/model/transformer.ts';
import { microConfig } from './_helpers.ts';

const shapes = [{}, { qkNorm: true, qkvBias: false, tieWordEmbeddings: false }, { numKvHeads: 4 }];

test('fused q/k/v projections give the logits of the separate ones (prefill and cached steps, padding, GQA)', () => {
  for (const overrides of shapes) {
    const config = microConfig(overrides);
    const params = initParams(config, 3, { std: 0.2 });
    const fused = fuseProjections(params, config);
    const ids = [
      [5, 6, 7, 8],
      [0, 0, 4, 3],
    ];
    const padding = [0, 2];
    const run = (f?: typeof fused) => {
      const pre = forward(params, config, { ids, padding, useCache: true, fused: f });
      const step = forward(params, config, { ids: [[9], [5]], padding, cache: pre.cache, useCache: true, fused: f });
      const logits = tf.tidy(() =>
        tf.concat([lmHead(params, config, pre.hidden), lmHead(params, config, step.hidden)], 1)
      );
      tf.dispose([pre.hidden, step.hidden]);
      disposeCache(pre.cache);
      disposeCache(step.cache);
      return logits;
    };
    const separate = run();
    const together = run(fused);
    const diff = tf.tidy(() => tf.abs(separate.sub(together)).max().dataSync()[0]);
    assert.ok(diff <= 1e-5, `max |Δlogit| ${diff} with ${JSON.stringify(overrides)}`);
    // The comparison has something to compare: the logits are not all alike.
    assert.ok(tf.tidy(() => separate.max().sub(separate.min()).dataSync()[0]) > 0.1);
    tf.dispose([separate, together]);
    const before = tf.memory().numTensors;
    disposeFused(fused);
    const perLayer = 2 + (config.qkvBias ? 1 : 0) + (config.qkNorm ? 1 : 0);
    assert.equal(
      before - tf.memory().numTensors,
      perLayer * config.numLayers + (config.qkNorm ? 1 : 2),
      'disposeFused frees every copy'
    );
    disposeParams(params);
  }
});

test('rotate_half as a column gather: each head swaps its halves (hand-checked)', () => {
  // 2 heads of width 4: head 0 is columns 0..3, head 1 columns 4..7; rotate_half takes [x2, x1] per head.
  assert.deepEqual(rotateHalfSource(2, 4), [2, 3, 0, 1, 6, 7, 4, 5]);
  assert.deepEqual(rotateHalfSource(1, 2), [1, 0]);
});

test('flat rotary tables: per-head scale, sin negated on the first half; x·cos + x[source]·sin is HF rotary', () => {
  // headDim 2 → one frequency (1/θ⁰ = 1), so position 1 has angle 1 rad; head 0 scaled by ½, head 1 by 1.
  const { cos, sin } = flatRotaryTables([[1]], 2, 10000, [0.5, 1]);
  const c = Math.cos(1);
  const s = Math.sin(1);
  const close = (got: Float32Array | Int32Array | Uint8Array, want: number[]) =>
    want.forEach((w, i) => {
      assert.ok(Math.abs(got[i] - w) < 1e-6, `${got[i]} vs ${w} at ${i}`);
    });
  assert.deepEqual(cos.shape, [1, 4]);
  close(cos.dataSync(), [0.5 * c, 0.5 * c, c, c]);
  close(sin.dataSync(), [-0.5 * s, 0.5 * s, -s, s]);
  // Head 1 of x = [·, ·, 1, 2]: HF gives x·cos + rotate_half(x)·sin = [1·c − 2·s, 2·c + 1·s].
  const x = tf.tensor2d([[3, 4, 1, 2]]);
  const turned = tf.tidy(() => x.mul(cos).add(tf.gather(x, tf.tensor1d(rotateHalfSource(2, 2), 'int32'), 1).mul(sin)));
  close(turned.dataSync(), [0.5 * (3 * c - 4 * s), 0.5 * (4 * c + 3 * s), c - 2 * s, 2 * c + s]);
  tf.dispose([cos, sin, x, turned]);
});
