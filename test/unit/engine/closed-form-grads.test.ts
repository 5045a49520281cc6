/**
 * The closed-form backward passes (engine/model/ops.ts: RMSNorm, SwiGLU; engine/train/logprobs.ts: the head without
 * the entropy's gradient) against hand-computed values and against tfjs's own chain rule through the plain ops.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { disposeParams, initParams } from '../../../engine/model/init.ts';
import { applyRotary, silu as plainSilu, rmsNorm, swiglu } from '../../../engine/model/ops.ts';
import { scoreTokens } from '../../../engine/train/logprobs.ts';
import { backend, gradientCheckBatch, gradientCheckConfig, gradientCheckWeights } from './_helpers.ts';

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])),
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`
    );
  }
}

/** Values and gradients of Σ u·f(a, b) w.r.t. a and b (u fixed, uneven, so no symmetry hides a wrong term). */
function gradsOf(f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, a: tf.Tensor, b: tf.Tensor, u: tf.Tensor) {
  const { value, grads } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) => f(x, y).mul(u).sum() as tf.Scalar)([a, b]);
  const out = { value: value.dataSync()[0], da: grads[0].dataSync(), db: grads[1].dataSync() };
  tf.dispose([value, ...grads]);
  return out;
}

test(`RMSNorm's closed-form gradient: hand-computed values (${backend.name})`, () => {
  // x = [3, 4], w = [1, 2], ε = 0: r = 1/√12.5, n = x·r = [0.84853, 1.13137], y = [0.84853, 2.26274].
  // d Σy / dx = r·(g − n·mean(g·n)) with g = w: r·([1, 2] − n·1.55563) = [−0.09051, 0.06788]; dw = n.
  const x = tf.tensor2d([[3, 4]]);
  const w = tf.tensor1d([1, 2]);
  const { value, da, db } = gradsOf((a, b) => rmsNorm(a, b, 0), x, w, tf.ones([1, 2]));
  assert.ok(Math.abs(value - (0.848528 + 2.262742)) < 1e-5, `value ${value}`);
  close(da, [-0.09051, 0.067882], 1e-5, 'dx');
  close(db, [0.848528, 1.131371], 1e-5, 'dw');
  tf.dispose([x, w]);
});

test(`RMSNorm's closed-form gradient equals the chain rule through its plain ops, 2-D and 4-D (${backend.name})`, () => {
  const plain = (eps: number) => (x: tf.Tensor, w: tf.Tensor) =>
    x.mul(tf.rsqrt(x.square().mean(-1, true).add(eps))).mul(w);
  for (const shape of [
    [5, 8],
    [2, 3, 4, 8],
  ]) {
    const x = tf.randomNormal(shape, 0, 1.5, 'float32', 3);
    const w = tf.randomNormal([8], 1, 0.3, 'float32', 4);
    const u = tf.randomNormal(shape, 0, 1, 'float32', 5);
    const ours = gradsOf((a, b) => rmsNorm(a, b, 1e-6), x, w, u);
    const chain = gradsOf(plain(1e-6), x, w, u);
    assert.equal(ours.value, chain.value, 'the forward is the plain one, op for op');
    close(ours.da, chain.da, 1e-5, `dx ${shape}`);
    close(ours.db, chain.db, 1e-5, `dw ${shape}`);
    assert.ok(Math.max(...ours.da.map(Math.abs)) > 0.01, 'a gradient that is not zero');
    tf.dispose([x, w, u]);
  }
});

test(`SwiGLU's closed-form gradient: hand-computed values and the chain rule (${backend.name})`, () => {
  // gate [0, 1], up [1, 2]: s = [0.5, 0.731059], a = gate·s = [0, 0.731059]; d up = a;
  // d gate = up·(s + a·(1 − s)) = [0.5, 2·(0.731059 + 0.731059·0.268941)] = [0.5, 1.855341].
  const gate = tf.tensor1d([0, 1]);
  const up = tf.tensor1d([1, 2]);
  const hand = gradsOf(swiglu, gate, up, tf.ones([2]));
  assert.ok(Math.abs(hand.value - 1.462117) < 1e-5, `value ${hand.value}`);
  close(hand.db, [0, 0.731059], 1e-5, 'd up');
  close(hand.da, [0.5, 1.855341], 1e-5, 'd gate');
  const g = tf.randomNormal([6, 10], 0, 3, 'float32', 6);
  const v = tf.randomNormal([6, 10], 0, 1, 'float32', 7);
  const u = tf.randomNormal([6, 10], 0, 1, 'float32', 8);
  const ours = gradsOf(swiglu, g, v, u);
  const chain = gradsOf((a, b) => plainSilu(a).mul(b), g, v, u);
  assert.equal(ours.value, chain.value, 'the forward is the plain one, op for op');
  close(ours.da, chain.da, 1e-5, 'd gate');
  close(ours.db, chain.db, 1e-5, 'd up');
  tf.dispose([gate, up, g, v, u]);
});

test(`the head's backward without the entropy term gives the same gradients for a log-prob loss (${backend.name})`, () => {
  const config = gradientCheckConfig();
  const params = initParams(config, 5, { std: 0.3 });
  const batch = gradientCheckBatch;
  const w = tf.tensor2d(gradientCheckWeights);
  const names = [...params.keys()];
  const gradients = (entropyGradient: boolean) => {
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(
          () =>
            scoreTokens(params, config, batch, { chunkRows: 4, temperature: 0.8, entropyGradient })
              .logprobs.mul(w)
              .sum() as tf.Scalar
        ),
      names.map((n) => params.get(n)!)
    );
    const out = new Map(names.map((n) => [n, grads[params.get(n)!.name].dataSync()]));
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return { loss, out };
  };
  const full = gradients(true);
  const lean = gradients(false);
  assert.equal(lean.loss, full.loss, 'the same forward');
  let largest = 0;
  for (const n of names) {
    close(lean.out.get(n)!, full.out.get(n)!, 2e-5, n);
    largest = Math.max(largest, ...Array.from(full.out.get(n)!, Math.abs));
  }
  assert.ok(largest > 0.01, `gradients that are not zero (largest ${largest})`);
  w.dispose();
  disposeParams(params);
});

test(`rotary positions: the same bits as x·cos + [−x₂, x₁]·sin done by hand, and the chain rule's gradient (${backend.name})`, () => {
  const [b, h, t, d] = [2, 3, 4, 8];
  const x = tf.randomNormal([b, h, t, d], 0, 2, 'float32', 9);
  const cos = tf.randomUniform([b, 1, t, d], -1, 1, 'float32', 10);
  const sin = tf.randomUniform([b, 1, t, d], -1, 1, 'float32', 11);
  const xs = x.dataSync();
  const cs = cos.dataSync();
  const ss = sin.dataSync();
  const expected = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const j = i % d;
    const row = Math.floor(i / d);
    const tt = row % t;
    const bb = Math.floor(row / (h * t));
    const c = (bb * t + tt) * d + j;
    const partner = j < d / 2 ? -xs[i + d / 2] : xs[i - d / 2];
    expected[i] = Math.fround(Math.fround(xs[i] * cs[c]) + Math.fround(partner * ss[c]));
  }
  assert.deepEqual(applyRotary(x, cos, sin).dataSync(), expected);
  // d/dx of Σ u·rot(x) = u·cos + rotate_halfᵀ(u·sin), rotate_halfᵀ([a, b]) = [b, −a].
  const u = tf.randomNormal([b, h, t, d], 0, 1, 'float32', 12);
  const dx = tf
    .grad((v: tf.Tensor) => applyRotary(v, cos, sin).mul(u).sum())(x)
    .dataSync();
  const us = u.dataSync();
  const hand = Array.from(xs, (_, i) => {
    const j = i % d;
    const row = Math.floor(i / d);
    const c = (Math.floor(row / (h * t)) * t + (row % t)) * d;
    const partner = j < d / 2 ? us[i + d / 2] * ss[c + j + d / 2] : -us[i - d / 2] * ss[c + j - d / 2];
    return us[i] * cs[c + j] + partner;
  });
  close(dx, hand, 1e-5, 'dx');
  tf.dispose([x, cos, sin, u]);
});
