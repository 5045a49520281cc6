import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { disposeFused, fuseProjections } from '../../../engine/model/fused.ts';
import { disposeParams, initParams } from '../../../engine/model/init.ts';
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
    const perLayer = 1 + (config.qkvBias ? 1 : 0) + (config.qkNorm ? 1 : 0);
    assert.equal(before - tf.memory().numTensors, perLayer * config.numLayers, 'disposeFused frees every copy');
    disposeParams(params);
  }
});
