/**
 * Finite-difference check of the whole model's gradients (custom matmul, scatter-add embedding, chunked head with
 * recomputed logits, RMSNorm, rotary, GQA, qk-norm). float32: central differences with ε = 1e-2 on weights of
 * std 0.3 keep the truncation error O(ε²·f''') ≈ 1e-4 relative and the round-off ≈ 1e-7·|f|/ε ≈ 1e-5, so a 3%
 * relative tolerance (plus 2e-4 absolute) separates a right gradient from a wrong one by orders of magnitude.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { disposeParams, initParams } from '../../../engine/model/init.ts';
import { defaultChunkRows, scoreTokens } from '../../../engine/train/logprobs.ts';
import type { ModelConfig, Params } from '../../../engine/types.ts';
import { backend, gradientCheckBatch, gradientCheckConfig, gradientCheckWeights } from './_helpers.ts';

const config: ModelConfig = gradientCheckConfig();

const batch = gradientCheckBatch;
const weights = gradientCheckWeights;

/** A scalar mixing log-probs and entropies with uneven weights, so both gradient paths are exercised. */
function objective(params: Params): tf.Scalar {
  return tf.tidy(() => {
    // chunkRows 4 splits the 10 scored rows into 3 chunks.
    const { logprobs, entropy } = scoreTokens(params, config, batch, { chunkRows: 4, temperature: 0.9 });
    const w = tf.tensor2d(weights);
    return logprobs.mul(w).sum().add(entropy.mul(w).sum().mul(0.5)) as tf.Scalar;
  });
}

test(`model gradients match central finite differences (${backend.name})`, () => {
  const params = initParams(config, 11, { std: 0.3 });
  const names = [...params.keys()];
  const { grads } = tf.variableGrads(
    () => objective(params),
    names.map((n) => params.get(n)!)
  );
  const byName = new Map(names.map((n) => [n, grads[params.get(n)!.name]]));
  const eps = 1e-2;
  let checked = 0;
  for (const name of names) {
    const v = params.get(name)!;
    const analytic = byName.get(name)!.dataSync();
    const values = v.dataSync().slice();
    // The two largest-magnitude entries of each tensor plus one fixed entry.
    const order = Array.from(analytic.keys()).sort((a, b) => Math.abs(analytic[b]) - Math.abs(analytic[a]));
    for (const i of new Set([order[0], order[1], Math.floor(values.length / 2)])) {
      const at = (delta: number) => {
        const copy = values.slice();
        copy[i] += delta;
        v.assign(tf.tensor(copy, v.shape));
        const f = objective(params);
        const out = f.dataSync()[0];
        f.dispose();
        return out;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(values, v.shape));
      const a = analytic[i];
      assert.ok(Math.abs(numeric - a) <= 0.03 * Math.abs(a) + 2e-4, `${name}[${i}]: analytic ${a}, numeric ${numeric}`);
      checked++;
    }
  }
  assert.ok(checked >= 2 * names.length, `checked ${checked} entries`);
  for (const g of Object.values(grads)) g.dispose();
  disposeParams(params);
});

test('the head is chunked to 2^22 logits by default: 128 rows at 32 k ids, at least one row', () => {
  assert.equal(defaultChunkRows(32768), 128);
  assert.equal(defaultChunkRows(151936), 27);
  assert.equal(defaultChunkRows(263), 15947);
  assert.equal(defaultChunkRows(2 ** 23), 1);
});
