import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { PRESETS, parameterCount, presetConfig, validateConfig } from '../../../engine/model/config.ts';
import { checkParams, disposeParams, initParams } from '../../../engine/model/init.ts';
import { disposeCache, forward, lmHead } from '../../../engine/model/transformer.ts';
import { microConfig } from './_helpers.ts';

test('preset sizes: micro ~50k, tiny 0.4–1M, Qwen shapes match their published counts', () => {
  const micro = parameterCount(presetConfig('micro', 20));
  assert.ok(micro > 30_000 && micro < 70_000, `micro has ${micro}`);
  const tiny = parameterCount(presetConfig('tiny', 260));
  assert.ok(tiny > 400_000 && tiny < 1_000_000, `tiny has ${tiny}`);
  // Qwen2.5-0.5B: 494,032,768 parameters with tied embeddings (HF model card: 0.49B).
  assert.equal(parameterCount(PRESETS['qwen2.5-0.5b']), 494_032_768);
});

test('config validation names the field to fix', () => {
  assert.throws(
    () => validateConfig({ ...microConfig(), numKvHeads: 3 }),
    /numHeads \(4\) must be a multiple of numKvHeads/
  );
  assert.throws(() => validateConfig({ ...microConfig(), headDim: 7 }), /headDim must be even/);
  assert.throws(() => presetConfig('huge'), /unknown model preset 'huge'/);
});

test('init is deterministic per (seed, name) and params carry HF names in [in, out] orientation', () => {
  const config = microConfig({ tieWordEmbeddings: false, qkNorm: true });
  const a = initParams(config, 7);
  const b = initParams(config, 7);
  const c = initParams(config, 8);
  checkParams(config, a);
  assert.deepEqual(a.get('model.layers.0.mlp.gate_proj.weight')!.shape, [config.hiddenSize, config.intermediateSize]);
  assert.deepEqual(a.get('lm_head.weight')!.shape, [config.hiddenSize, config.vocabSize]);
  const q = (p: typeof a) => Array.from(p.get('model.layers.1.self_attn.q_proj.weight')!.dataSync());
  assert.deepEqual(q(a), q(b));
  assert.notDeepEqual(q(a), q(c));
  [a, b, c].forEach(disposeParams);
});

test('prefill + cached decoding gives the logits of a full forward, with left padding and GQA', () => {
  for (const overrides of [{}, { qkNorm: true, qkvBias: false, tieWordEmbeddings: false }, { numKvHeads: 4 }]) {
    const config = microConfig(overrides);
    const params = initParams(config, 3, { std: 0.2 });
    // Row 0 is [5, 6, 7, 8, 9]; row 1 is [pad, pad, 4, 3, 5]: both decode their last 2 tokens from the cache.
    const ids = [
      [5, 6, 7, 8, 9],
      [0, 0, 4, 3, 5],
    ];
    const padding = [0, 2];
    const full = tf.tidy(() => lmHead(params, config, forward(params, config, { ids, padding }).hidden));
    const pre = forward(params, config, { ids: ids.map((r) => r.slice(0, 3)), padding, useCache: true });
    const s1 = forward(params, config, { ids: ids.map((r) => [r[3]]), padding, cache: pre.cache, useCache: true });
    const s2 = forward(params, config, { ids: ids.map((r) => [r[4]]), padding, cache: s1.cache, useCache: true });
    const last = tf.tidy(() => lmHead(params, config, s2.hidden).squeeze([1]));
    const expected = tf.tidy(() => full.slice([0, 4, 0], [-1, 1, -1]).squeeze([1]));
    const diff = tf.tidy(() => tf.abs(last.sub(expected)).max().dataSync()[0]);
    assert.ok(diff < 1e-4, `max |Δlogit| ${diff} with ${JSON.stringify(overrides)}`);
    // Row 1's numbers must not depend on its padding: compare with the same row unpadded.
    const alone = tf.tidy(() =>
      lmHead(params, config, forward(params, config, { ids: [[4, 3, 5]] }).hidden)
        .slice([0, 2, 0], [1, 1, -1])
        .reshape([-1])
    );
    const row1 = tf.tidy(() => expected.slice([1, 0], [1, -1]).reshape([-1]));
    const padDiff = tf.tidy(() => tf.abs(alone.sub(row1)).max().dataSync()[0]);
    assert.ok(padDiff < 1e-4, `padding changed row 1 by ${padDiff}`);
    [pre.hidden, s1.hidden, s2.hidden, full, last, expected, alone, row1].forEach((t) => {
      t.dispose();
    });
    [pre.cache, s1.cache, s2.cache].forEach(disposeCache);
    disposeParams(params);
  }
});

test('forward rejects sequences longer than maxPositions', () => {
  const config = microConfig({ maxPositions: 4 });
  const params = initParams(config, 1);
  assert.throws(() => forward(params, config, { ids: [[1, 2, 3, 4, 5]] }), /5 tokens exceed maxPositions 4/);
  disposeParams(params);
});
