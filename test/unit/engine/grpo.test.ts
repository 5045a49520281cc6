import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { cloneParams, disposeParams, initParams } from '../../../engine/model/init.ts';
import { Adam, clipGradients } from '../../../engine/train/adam.ts';
import { toTokenBatch } from '../../../engine/train/batch.ts';
import {
  aggregationWeights,
  type GrpoSample,
  grpoLossTensor,
  grpoUpdate,
  grpoUpdateAsync,
  klTensor,
  referenceGrpoLoss,
} from '../../../engine/train/grpo.ts';
import { scoreTokensNoGrad } from '../../../engine/train/logprobs.ts';
import type { LossAggregationName } from '../../../rl/aggregation.ts';
import { KL_ESTIMATORS, type KlEstimatorName } from '../../../rl/kl.ts';
import { encodePrompt, microConfig } from './_helpers.ts';

function tensorLoss(
  lp: number[][],
  old: number[][],
  adv: number[],
  mask: number[][],
  o: {
    epsilonLow: number;
    epsilonHigh: number;
    dualClip: number | null;
    aggregation: LossAggregationName;
    constant?: number;
  }
): number {
  const { weights } = aggregationWeights(o.aggregation, mask, o.constant);
  return tf.tidy(() => {
    const t = tf.tensor2d(lp);
    const { loss } = grpoLossTensor(t, tf.zerosLike(t), old, adv, weights, { ...o, klCoef: 0, entropyCoef: 0 });
    return loss.dataSync()[0];
  });
}

test('rl-anchors Ex 2: ρ = 1, A = +1 on 2 tokens and −1 on 4 → token-mean 1/3, seq-mean-token-mean 0', () => {
  const lp = [
    [-1, -1, 0, 0],
    [-1, -1, -1, -1],
  ];
  const mask = [
    [1, 1, 0, 0],
    [1, 1, 1, 1],
  ];
  const o = { epsilonLow: 0.2, epsilonHigh: 0.2, dualClip: null };
  // token-mean: (−1·2 + 1·4) / 6 = 1/3.
  const tm = tensorLoss(lp, lp, [1, -1], mask, { ...o, aggregation: 'token-mean' });
  assert.ok(Math.abs(tm - 1 / 3) < 1e-6, `${tm}`);
  // seq-mean-token-mean: (−1 + 1) / 2 = 0.
  const sm = tensorLoss(lp, lp, [1, -1], mask, { ...o, aggregation: 'seq-mean-token-mean' });
  assert.ok(Math.abs(sm) < 1e-6, `${sm}`);
});

test('the tfjs GRPO loss equals rl/ reference functions on the same numbers (property)', () => {
  const row = fc.array(fc.float({ min: -4, max: 0, noNaN: true, noDefaultInfinity: true }), {
    minLength: 5,
    maxLength: 5,
  });
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          lp: row,
          shift: fc.array(fc.float({ min: -1, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
          mask: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 5, maxLength: 5 }),
          adv: fc.float({ min: -2, max: 2, noNaN: true }),
        }),
        { minLength: 1, maxLength: 4 }
      ),
      fc.constantFrom<LossAggregationName>(
        'token-mean',
        'seq-mean-token-mean',
        'seq-mean-token-sum',
        'constant-normaliser',
        'dr-grpo'
      ),
      fc.constantFrom(0.2, 0.28),
      fc.constantFrom(null, 3),
      (rows, aggregation, epsilonHigh, dualClip) => {
        const lp = rows.map((r) => r.lp.map(Math.fround));
        const old = rows.map((r) => r.lp.map((x, t) => Math.fround(x + r.shift[t])));
        const mask = rows.map((r) => r.mask);
        const adv = rows.map((r) => Math.fround(r.adv));
        const o = { epsilonLow: 0.2, epsilonHigh, dualClip, aggregation, constant: 16 };
        const expected = referenceGrpoLoss(lp, old, adv, mask, o);
        const actual = tensorLoss(lp, old, adv, mask, o);
        assert.ok(Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `${actual} vs ${expected}`);
      }
    ),
    { numRuns: 60, seed: 42 }
  );
});

test('the tfjs KL term equals rl/kl.ts per token, clamps included (property)', () => {
  // Log-probs far apart (|d| up to 40) reach both of k3's clamps: the log-ratio's ±20 and the value's 10.
  const logProb = fc.float({ min: -40, max: 0, noNaN: true, noDefaultInfinity: true }).map(Math.fround);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(logProb, logProb), { minLength: 1, maxLength: 12 }),
      fc.constantFrom<KlEstimatorName>('k1', 'k2', 'k3'),
      (pairs, estimator) => {
        const actual = tf.tidy(() =>
          Array.from(
            klTensor(
              estimator,
              tf.tensor2d([pairs.map(([lp]) => lp)]),
              tf.tensor2d([pairs.map(([, ref]) => ref)])
            ).dataSync()
          )
        );
        for (const [i, [lp, ref]] of pairs.entries()) {
          const expected = KL_ESTIMATORS[estimator](lp, ref);
          assert.ok(
            Math.abs(actual[i] - expected) <= 1e-5 * Math.max(1, Math.abs(expected)),
            `${estimator}(${lp}, ${ref}): ${actual[i]} vs ${expected}`
          );
        }
      }
    ),
    { numRuns: 80, seed: 7 }
  );
});

test('Adam: two hand-computed steps and the state exposed by name', () => {
  const w = tf.variable(tf.scalar(1));
  const params = new Map([['w', w]]);
  const adam = new Adam(params, { learningRate: 0.1 });
  // Step 1, g = 0.5: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25 → w −= 0.1·0.5/0.5 = 0.1.
  adam.apply(new Map([['w', tf.scalar(0.5)]]));
  assert.ok(Math.abs(w.dataSync()[0] - 0.9) < 1e-6);
  // Step 2, g = 0.5: m = 0.095, m̂ = 0.095/0.19 = 0.5; v = 0.00049975, v̂ = 0.00049975/0.001999 = 0.25 → −0.1.
  adam.apply(new Map([['w', tf.scalar(0.5)]]));
  assert.ok(Math.abs(w.dataSync()[0] - 0.8) < 1e-6);
  assert.equal(adam.state.step, 2);
  assert.ok(Math.abs(adam.state.moments.get('w.m')!.dataSync()[0] - 0.095) < 1e-7);
});

test('Adam with deferred moments makes none until its state is used, then zeros: the same two steps', () => {
  const w = tf.variable(tf.scalar(1));
  const before = tf.memory().numTensors;
  const adam = new Adam(new Map([['w', w]]), { learningRate: 0.1 }, undefined, true);
  assert.equal(tf.memory().numTensors, before, 'no moment tensors yet');
  // The same hand-computed steps as the eager optimizer's: fresh moments are zeros.
  const g = tf.scalar(0.5);
  adam.apply(new Map([['w', g]]));
  g.dispose();
  assert.equal(tf.memory().numTensors, before + 2, 'm and v, made on first use');
  adam.apply(new Map([['w', tf.scalar(0.5)]]));
  assert.ok(Math.abs(w.dataSync()[0] - 0.8) < 1e-6);
  assert.ok(Math.abs(adam.state.moments.get('w.m')!.dataSync()[0] - 0.095) < 1e-7);
  const fresh = new Adam(new Map([['w', w]]), { learningRate: 0.1 }, undefined, true);
  assert.deepEqual(Array.from(fresh.state.moments.get('w.v')!.dataSync()), [0], 'read before any step: zeros');
});

test('gradient clipping: [3, 4] has norm 5 and is scaled to norm 1', () => {
  const grads = new Map([['a', tf.tensor1d([3, 4])]]);
  assert.ok(Math.abs(clipGradients(grads, 1) - 5) < 1e-6);
  const [x, y] = grads.get('a')!.dataSync();
  assert.ok(Math.abs(x - 0.6) < 1e-5 && Math.abs(y - 0.8) < 1e-5, `${x}, ${y}`);
});

const config = microConfig();
const prompt = encodePrompt('3+4=');
const samples: GrpoSample[] = [
  { prompt, response: [5, 6, 7, 2], advantage: 1 },
  { prompt, response: [8, 9, 2], advantage: -1 },
  { prompt, response: [10, 11, 12, 13, 2], advantage: 1 },
  { prompt, response: [4, 4, 2], advantage: -1 },
];

function sequenceLogprobs(params: ReturnType<typeof initParams>): number[] {
  const batch = toTokenBatch(samples, 0);
  const { logprobs } = scoreTokensNoGrad(params, config, batch);
  return logprobs.map((row, i) => row.reduce((s, lp, t) => s + (batch.mask[i][t] ? lp : 0), 0));
}

test('one GRPO update raises the log-probs of positive-advantage responses and lowers the negative ones', () => {
  const params = initParams(config, 5);
  const before = sequenceLogprobs(params);
  const adam = new Adam(params, { learningRate: 3e-3 });
  const m = grpoUpdate(params, config, adam, samples);
  const after = sequenceLogprobs(params);
  samples.forEach((s, i) => {
    const delta = after[i] - before[i];
    assert.ok(s.advantage > 0 ? delta > 0 : delta < 0, `sample ${i} (A=${s.advantage}): Δ log p = ${delta}`);
  });
  // On-policy first step: ratio 1 everywhere, nothing clipped, KL(π‖π_old) = 0 before the step.
  assert.equal(m.clipFrac, 0);
  assert.ok(m.approxKl < 1e-10);
  assert.equal(m.tokens, 15);
  assert.equal(m.optimizerSteps, 1);
  assert.ok(m.gradNorm > 0 && m.entropy > 0);
  adam.dispose();
  disposeParams(params);
});

test('gradient accumulation over micro-batches gives the same update as the whole batch', () => {
  const a = initParams(config, 6);
  const b = initParams(config, 6);
  const adamA = new Adam(a, { learningRate: 1e-2 });
  const adamB = new Adam(b, { learningRate: 1e-2 });
  const ma = grpoUpdate(a, config, adamA, samples, { maxGradNorm: Number.POSITIVE_INFINITY });
  const mb = grpoUpdate(b, config, adamB, samples, { microBatchSize: 1, maxGradNorm: Number.POSITIVE_INFINITY });
  assert.ok(Math.abs(ma.loss - mb.loss) < 1e-6, `${ma.loss} vs ${mb.loss}`);
  assert.ok(Math.abs(ma.gradNorm - mb.gradNorm) < 1e-4 * ma.gradNorm);
  // Compare gradients, not weights: one Adam step moves a weight by lr·g/(|g| + ε), which turns float noise into a
  // visible step where |g| is near ε = 1e-8. After one step Adam's first moment is (1 − β1)·g, the gradient itself.
  for (const name of a.keys()) {
    const [scale, diff] = tf.tidy(() => {
      const ga = adamA.state.moments.get(`${name}.m`)!;
      const gb = adamB.state.moments.get(`${name}.m`)!;
      return [ga.abs().max().dataSync()[0], ga.sub(gb).abs().max().dataSync()[0]];
    });
    assert.ok(scale > 0, `${name} has a gradient`);
    assert.ok(diff <= 1e-5 * scale, `${name}: gradients differ by ${diff} (largest ${scale})`);
  }
  // k_proj.bias does get a gradient: rotary embeddings rotate the bias by the key's position, so it does not add
  // the same amount to a query's every score (which softmax would ignore).
  const kBias = tf.tidy(
    () => adamA.state.moments.get('model.layers.0.self_attn.k_proj.bias.m')!.abs().max().dataSync()[0]
  );
  assert.ok(kBias / (1 - 0.9) > 1e-6, `k_proj.bias gradient ${kBias / (1 - 0.9)}`);
  [adamA, adamB].forEach((o) => {
    o.dispose();
  });
  disposeParams(a);
  disposeParams(b);
});

test('gradient checkpointing on and off: same loss and gradients, different memory peaks', async () => {
  const run = async (gradientCheckpointing: boolean) => {
    const params = initParams(config, 6);
    const start = params.get('model.layers.0.mlp.up_proj.weight')!.dataSync().slice();
    const adam = new Adam(params, { learningRate: 1e-2 });
    const base = tf.memory().numBytes;
    let m: ReturnType<typeof grpoUpdate> | undefined;
    const info = await tf.profile(() => {
      m = grpoUpdate(params, config, adam, samples, { gradientCheckpointing, maxGradNorm: Number.POSITIVE_INFINITY });
    });
    const moved = params
      .get('model.layers.0.mlp.up_proj.weight')!
      .dataSync()
      .some((x, i) => x !== start[i]);
    return { params, adam, m: m!, peak: info.peakBytes - base, moved };
  };
  const layerwise = await run(true);
  const tape = await run(false);
  assert.ok(layerwise.moved && tape.moved, 'the step changed the weights');
  // Different paths really ran: the tape holds every layer's activations at once.
  assert.ok(tape.peak > layerwise.peak, `tape peak ${tape.peak} bytes vs layer-wise ${layerwise.peak}`);
  assert.ok(
    Math.abs(tape.m.loss - layerwise.m.loss) <= 1e-6 * Math.abs(tape.m.loss),
    `${tape.m.loss} vs ${layerwise.m.loss}`
  );
  assert.ok(Math.abs(tape.m.gradNorm - layerwise.m.gradNorm) <= 1e-5 * tape.m.gradNorm);
  // Gradients compared through Adam's first moment, (1 − β1)·g after one step (see the accumulation test).
  for (const name of tape.params.keys()) {
    const [scale, diff] = tf.tidy(() => {
      const ga = tape.adam.state.moments.get(`${name}.m`)!;
      const gb = layerwise.adam.state.moments.get(`${name}.m`)!;
      return [ga.abs().max().dataSync()[0], ga.sub(gb).abs().max().dataSync()[0]];
    });
    assert.ok(scale > 0, `${name} has a gradient`);
    assert.ok(diff <= 1e-5 * scale, `${name}: gradients differ by ${diff} (largest ${scale})`);
  }
  for (const r of [tape, layerwise]) {
    r.adam.dispose();
    disposeParams(r.params);
  }
});

test('gradientCheckpointing must be auto, true or false', () => {
  const params = initParams(config, 6);
  const adam = new Adam(params, { learningRate: 1e-2 });
  assert.throws(
    () => grpoUpdate(params, config, adam, samples, { gradientCheckpointing: 'yes' as unknown as boolean }),
    /gradientCheckpointing must be 'auto', true or false, got yes/
  );
  adam.dispose();
  disposeParams(params);
});

test('mini-batches take several optimiser steps; later ones see ratios ≠ 1', () => {
  const params = initParams(config, 7);
  const adam = new Adam(params, { learningRate: 2e-2 });
  const m = grpoUpdate(params, config, adam, [...samples, ...samples], { miniBatches: 2 });
  assert.equal(m.optimizerSteps, 2);
  assert.equal(adam.state.step, 2);
  assert.ok(m.approxKl > 0, 'the second mini-batch is off-policy');
  adam.dispose();
  disposeParams(params);
});

test('π_old rescored in the gradient pass’s own micro-batches: the first ratios are exactly 1, KL to itself exactly 0', () => {
  const params = initParams(config, 9, { std: 0.3 });
  const reference = cloneParams(params);
  const adam = new Adam(params, { learningRate: 1e-2 });
  // Micro-batches of 3 over 4 samples of unequal lengths: each is cut to its own longest sequence, not the batch's.
  const klCoef = 0.1;
  const m = grpoUpdate(params, config, adam, samples, { microBatchSize: 3, klCoef, reference, klEstimator: 'k1' });
  assert.equal(m.approxKl, 0, 'π_θ and π_old have the same bits before the step');
  assert.equal(m.refKl, 0, 'the reference, equal to π_θ, too');
  assert.equal(m.clipFrac, 0);
  assert.ok(m.gradNorm > 0, 'the update learns');
  adam.dispose();
  disposeParams(params);
  disposeParams(reference);
});

test('KL to a reference needs the reference, and truncated responses can be masked out', () => {
  const params = initParams(config, 8);
  const adam = new Adam(params, { learningRate: 1e-2 });
  assert.throws(() => grpoUpdate(params, config, adam, samples, { klCoef: 0.1 }), /needs a reference policy/);
  const reference = cloneParams(params);
  const first = grpoUpdate(params, config, adam, samples, { klCoef: 0.1, reference });
  assert.ok(first.refKl !== undefined && first.refKl < 1e-10, 'identical to the reference before the first step');
  const second = grpoUpdate(params, config, adam, samples, { klCoef: 0.1, reference });
  assert.ok(second.refKl! > 0);
  const truncated = samples.map((s, i) => ({ ...s, truncated: i === 2 }));
  const masked = grpoUpdate(params, config, adam, truncated, { maskTruncated: true });
  assert.equal(masked.maskedTruncated, 1);
  assert.equal(masked.tokens, 15 - 5);
  adam.dispose();
  disposeParams(reference);
  disposeParams(params);
});

test('grpoUpdateAsync yields after every micro-batch and ends where grpoUpdate ends', async () => {
  const a = initParams(config, 9);
  const b = initParams(config, 9);
  const adamA = new Adam(a, { learningRate: 1e-2 });
  const adamB = new Adam(b, { learningRate: 1e-2 });
  const sync = grpoUpdate(a, config, adamA, samples, { microBatchSize: 2, miniBatches: 2 });
  const seen: string[] = [];
  const asynchronous = await grpoUpdateAsync(b, config, adamB, samples, {
    microBatchSize: 1,
    miniBatches: 2,
    onProgress: (p) => seen.push(`${p.microBatchesDone}/${p.microBatches}`),
  });
  // 4 samples → 2 mini-batches of 2 → 2 micro-batches of 1 each.
  assert.deepEqual(seen, ['1/4', '2/4', '3/4', '4/4']);
  assert.ok(Math.abs(sync.loss - asynchronous.loss) < 1e-6);
  assert.equal(asynchronous.optimizerSteps, 2);
  [adamA, adamB].forEach((o) => {
    o.dispose();
  });
  disposeParams(a);
  disposeParams(b);
});

test('the layer-wise pass reports each layer of each micro-batch, last layer first; the tape reports none', async () => {
  const progress = async (gradientCheckpointing: boolean) => {
    const params = initParams(config, 9);
    const adam = new Adam(params, { learningRate: 1e-2 });
    const seen: string[] = [];
    await grpoUpdateAsync(params, config, adam, samples, {
      microBatchSize: 2,
      gradientCheckpointing,
      onProgress: (p) =>
        seen.push(p.layer === undefined ? `${p.microBatchesDone}` : `${p.microBatchesDone}:L${p.layer}`),
    });
    adam.dispose();
    disposeParams(params);
    return seen;
  };
  const layers = Array.from({ length: config.numLayers }, (_, l) => config.numLayers - 1 - l);
  // 4 samples in one mini-batch → 2 micro-batches of 2; each reports its layers before it counts as done.
  assert.deepEqual(await progress(true), [...layers.map((l) => `0:L${l}`), '1', ...layers.map((l) => `1:L${l}`), '2']);
  assert.deepEqual(await progress(false), ['1', '2']);
});

test('an update given up inside a layer-wise micro-batch leaves no tensor behind and the weights as they were', async () => {
  const params = initParams(config, 9);
  const adam = new Adam(params, { learningRate: 1e-2 });
  // A whole update first, so what the policy caches across updates (a tied head's transposed copy) exists already.
  await grpoUpdateAsync(params, config, adam, samples, { microBatchSize: 2, gradientCheckpointing: true });
  const before = params.get('model.layers.0.mlp.up_proj.weight')!.dataSync().slice();
  const tensors = tf.memory().numTensors;
  let reports = 0;
  await assert.rejects(
    grpoUpdateAsync(params, config, adam, samples, {
      microBatchSize: 2,
      gradientCheckpointing: true,
      onProgress: (p) => {
        reports++;
        // The second micro-batch's first layer: gradients of the first micro-batch are summed and held by now.
        if (p.microBatchesDone === 1 && p.layer !== undefined) throw new Error('cancelled');
      },
    }),
    /cancelled/
  );
  assert.equal(reports, config.numLayers + 2, 'it stopped inside the second micro-batch');
  assert.equal(tf.memory().numTensors, tensors, 'every tensor the update made is freed');
  const after = params.get('model.layers.0.mlp.up_proj.weight')!.dataSync();
  assert.ok(
    after.every((x, i) => x === before[i]),
    'no optimiser step was taken'
  );
  adam.dispose();
  disposeParams(params);
});

test('KL term: k1, k2, k3 with a β per row, hand-computed (token-mean weights)', () => {
  // One token per row, ρ = 1 and A = 0 so only the KL term is left; token-mean over 2 tokens gives w = 1/2.
  // Row 0: log π = −1, log π_ref = −2 → d = ref − lp = −1. Row 1: log π = −1, log π_ref = −0.5 → d = 0.5.
  const lp = [[-1], [-1]];
  const ref = [[-2], [-0.5]];
  const mask = [[1], [1]];
  const { weights } = aggregationWeights('token-mean', mask);
  const o = { epsilonLow: 0.2, epsilonHigh: 0.2, dualClip: null, entropyCoef: 0 };
  const lossWith = (klEstimator: 'k1' | 'k2' | 'k3', klCoef: number | number[]) =>
    tf.tidy(() => {
      const t = tf.tensor2d(lp);
      return grpoLossTensor(
        t,
        tf.zerosLike(t),
        lp,
        [0, 0],
        weights,
        { ...o, klCoef, klEstimator },
        ref
      ).loss.dataSync()[0];
    });
  // k1 = lp − ref: 1 and −0.5. β = [0.1, 0.4]: (0.1·1 + 0.4·(−0.5)) / 2 = −0.05.
  assert.ok(Math.abs(lossWith('k1', [0.1, 0.4]) - -0.05) < 1e-6);
  // k2 = ½(lp − ref)²: 0.5 and 0.125. (0.1·0.5 + 0.4·0.125) / 2 = 0.05.
  assert.ok(Math.abs(lossWith('k2', [0.1, 0.4]) - 0.05) < 1e-6);
  // k3 = e^d − d − 1: e^−1 = 0.367879 → 0.367879; e^0.5 − 1.5 = 0.148721. (0.1·0.367879 + 0.4·0.148721) / 2.
  const k3 = (0.1 * (Math.exp(-1) + 1 - 1) + 0.4 * (Math.exp(0.5) - 0.5 - 1)) / 2;
  assert.ok(Math.abs(lossWith('k3', [0.1, 0.4]) - k3) < 1e-6, `${lossWith('k3', [0.1, 0.4])} vs ${k3}`);
  // β = 0 on a row removes its term; a scalar β applies to every row.
  assert.ok(Math.abs(lossWith('k1', [0, 0.4]) - -0.1) < 1e-6);
  assert.ok(Math.abs(lossWith('k1', 0.2) - 0.05) < 1e-6);
});

test('per-sample β: only samples with β > 0 need the reference; their KL pulls toward it', () => {
  const params = initParams(config, 10);
  const adam = new Adam(params, { learningRate: 1e-2 });
  const withBeta = samples.map((s, i) => ({ ...s, klCoef: i === 0 ? 0.5 : 0 }));
  assert.throws(() => grpoUpdate(params, config, adam, withBeta), /needs a reference policy/);
  // β = 0 everywhere (the per-sample value wins over options.klCoef): no reference needed, no refKl reported.
  const none = grpoUpdate(
    params,
    config,
    adam,
    samples.map((s) => ({ ...s, klCoef: 0 })),
    { klCoef: 0.3 }
  );
  assert.equal(none.refKl, undefined);
  assert.throws(() => grpoUpdate(params, config, adam, [{ ...samples[0], klCoef: -1 }]), /klCoef -1; it must be ≥ 0/);
  adam.dispose();
  disposeParams(params);
});

test('epochs: each pass takes the mini-batch steps again against the same old log-probs', () => {
  const a = initParams(config, 11);
  const b = initParams(config, 11);
  const adamA = new Adam(a, { learningRate: 2e-2 });
  const adamB = new Adam(b, { learningRate: 2e-2 });
  const one = grpoUpdate(a, config, adamA, samples, { epochs: 1 });
  const two = grpoUpdate(b, config, adamB, samples, { epochs: 2 });
  assert.equal(one.optimizerSteps, 1);
  assert.equal(two.optimizerSteps, 2);
  assert.equal(adamB.state.step, 2);
  assert.ok(one.approxKl < 1e-10 && two.approxKl > 0, 'the second pass is off-policy');
  assert.ok(sequenceLogprobs(a)[0] !== sequenceLogprobs(b)[0]);
  assert.throws(() => grpoUpdate(b, config, adamB, samples, { epochs: 0 }), /epochs must be a positive integer/);
  [adamA, adamB].forEach((o) => {
    o.dispose();
  });
  disposeParams(a);
  disposeParams(b);
});
