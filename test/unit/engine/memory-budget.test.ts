/**
 * The micro-batch size from a memory budget (engine/train/memory-budget.ts): the estimate by hand on a tiny shape, the
 * choice at the budget's edges, a clear error when nothing fits, the estimate checked against a measured update, and
 * grpoUpdate cutting its micro-batches to the budget without changing the loss.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { BENCH_MODELS } from '../../../bench/engine-vs-torch/models.ts';
import { presetConfig } from '../../../engine/model/config.ts';
import { disposeParams, initParams } from '../../../engine/model/init.ts';
import { Adam } from '../../../engine/train/adam.ts';
import { type GrpoSample, grpoUpdate, grpoUpdateAsync } from '../../../engine/train/grpo.ts';
import {
  defaultMemoryBudget,
  gradientPlan,
  MemoryBudgetError,
  microBatchRows,
  TAPE_BUDGET_SHARE,
  updatePeakBytes,
  WASM_MEMORY_BUDGET,
} from '../../../engine/train/memory-budget.ts';
import type { ModelConfig } from '../../../engine/types.ts';
import { backend, microConfig } from './_helpers.ts';

/** d 4, f 8, 2 heads of 2 (1 kv head), vocabulary 10, one layer, tied head, no biases or q/k norms. */
const tiny: ModelConfig = {
  vocabSize: 10,
  hiddenSize: 4,
  numLayers: 1,
  numHeads: 2,
  numKvHeads: 1,
  headDim: 2,
  intermediateSize: 8,
  maxPositions: 64,
  ropeTheta: 100,
  rmsNormEps: 1e-6,
  tieWordEmbeddings: true,
  qkvBias: false,
  qkNorm: false,
};

test('the estimate by hand: 2 rows of 5 tokens on the tiny shape is 21,472 bytes', () => {
  // Parameters: embedding 10·4 = 40; layer: norms 4 + 4, q 4·4 = 16, k 4·2 = 8, v 8, o 16, gate 32, up 32,
  // down 32 → 152; final norm 4 → P = 196, largest 40. Fixed: 4·196 + tied head copy 4·10 = 824 elements.
  // N = 2·4 = 8 positions, T = 4: layer 68·8·4 + 25·8·8 + 11·8·2·4 = 2176 + 1600 + 704 = 4480; head (c = 8)
  // 16·8·10 + 5·4·10 + 8·8·4 = 1280 + 200 + 256 = 1736; inputs kept 2·8·4 = 64 → 4544 > Adam's 8·40.
  // (824 + 4544) · 4 bytes = 21,472.
  assert.equal(updatePeakBytes(tiny, 2, 5), 21_472);
  // One row: N = 4: layer 1088 + 800 + 352 = 2240, inputs 32, head (c = 4) 640 + 200 + 128 → (824 + 2272)·4.
  assert.equal(updatePeakBytes(tiny, 1, 5), 12_384);
  // Head chunks of 2 rows: 16·2·10 = 320 instead of 1280; the layer term is still the larger.
  assert.equal(updatePeakBytes(tiny, 2, 5, 2), 21_472);
});

test('the tape estimate by hand: every layer at once, plus the head', () => {
  // Same tiny shape, 2 rows of 5 tokens (N 8, T 4): per layer 72·8·4 + 22·8·8 + 10·8·2·4 = 2304 + 1408 + 640 = 4352,
  // one layer; head 1736 (above) → 6088 > Adam's 320; fixed 824 → (824 + 6088)·4 = 27,648 bytes.
  assert.equal(updatePeakBytes(tiny, 2, 5, undefined, 'tape'), 27_648);
  // One row (N 4): 1152 + 704 + 320 = 2176, head 968 → (824 + 3144)·4 = 15,872.
  assert.equal(updatePeakBytes(tiny, 1, 5, undefined, 'tape'), 15_872);
  // Three layers: P = 40 + 3·152 + 4 = 500, fixed 4·500 + 40 = 2040; 3·4352 + 1736 = 14,792 → 67,328 bytes.
  assert.equal(updatePeakBytes({ ...tiny, numLayers: 3 }, 2, 5, undefined, 'tape'), 67_328);
});

test('gradient plan: auto takes the tape while it fits a quarter of the budget; a forced pass sizes by its own estimate', () => {
  const lengths = [5, 5];
  assert.equal(TAPE_BUDGET_SHARE, 1 / 4);
  // Layer-wise fits 2 rows from 21,472 bytes; the tape's 27,648 at 2 rows must fit a quarter: 110,592.
  assert.deepEqual(gradientPlan(tiny, lengths, 2, 110_592, 'auto'), { pass: 'tape', rows: 2 });
  assert.deepEqual(gradientPlan(tiny, lengths, 2, 110_591, 'auto'), { pass: 'layerwise', rows: 2 });
  assert.deepEqual(gradientPlan(tiny, lengths, 2, 1e12, true), { pass: 'layerwise', rows: 2 });
  // Forced tape at 27,647 bytes: 2 rows (27,648) do not fit, 1 row (15,872) does; layer-wise would take 2.
  assert.deepEqual(gradientPlan(tiny, lengths, 2, 27_647, false), { pass: 'tape', rows: 1 });
  assert.deepEqual(gradientPlan(tiny, lengths, 2, 27_647, 'auto'), { pass: 'layerwise', rows: 2 });
  assert.throws(() => gradientPlan(tiny, lengths, 2, 15_871, false), MemoryBudgetError);
});

test('gradient plan on the engine-vs-torch updates: the demo on the tape, the 39 M model layer-wise', () => {
  const nativeBudget = 12 * 2 ** 30; // half of a 24 GiB machine
  // Demo (d 128, f 352, 4 heads, 3 layers, vocabulary 263, P = 588,288), 64 × 74: N = 4672, T = 73. Per layer
  // 72·4672·128 + 22·4672·352 + 10·4672·4·73 = 43,057,152 + 36,179,968 + 13,642,240 = 92,879,360; head (c = 4672)
  // 16·4672·263 + 5·128·263 + 8·4672·128 = 24,612,224; fixed 4·588,288 + 128·263 = 2,386,816 →
  // (3·92,879,360 + 24,612,224 + 2,386,816)·4 = 1,222,548,480 bytes, under a quarter of 12 GiB (3,221,225,472).
  const demo = presetConfig('tiny', 263);
  assert.equal(updatePeakBytes(demo, 64, 74, undefined, 'tape'), 1_222_548_480);
  assert.deepEqual(gradientPlan(demo, new Array(64).fill(74), 64, nativeBudget, 'auto'), { pass: 'tape', rows: 64 });
  // On wasm's 3 GiB the quarter is 805,306,368: the demo goes layer-wise there.
  assert.deepEqual(gradientPlan(demo, new Array(64).fill(74), 64, WASM_MEMORY_BUDGET, 'auto'), {
    pass: 'layerwise',
    rows: 64,
  });
  // 39 M (d 512, f 1408, 8 heads, 8 layers), 8 × 256: N = 2040, T = 255. Per layer 72·2040·512 + 22·2040·1408 +
  // 10·2040·8·255 = 75,202,560 + 63,191,040 + 41,616,000 = 180,009,600; head 159,350,784; fixed 174,123,008 →
  // (8·180,009,600 + 159,350,784 + 174,123,008)·4 = 7,094,202,368 bytes, over the quarter: layer-wise (1,488,534,272).
  const qwen = BENCH_MODELS['qwen2-40m'].config;
  assert.equal(updatePeakBytes(qwen, 8, 256, undefined, 'tape'), 7_094_202_368);
  assert.deepEqual(gradientPlan(qwen, new Array(8).fill(256), 8, nativeBudget, 'auto'), { pass: 'layerwise', rows: 8 });
  assert.deepEqual(gradientPlan(qwen, new Array(8).fill(256), 8, WASM_MEMORY_BUDGET, 'auto'), {
    pass: 'layerwise',
    rows: 8,
  });
});

test('micro-batch rows: the most that fit, never more than asked; one byte less takes fewer', () => {
  const lengths = [5, 5, 5, 5];
  assert.equal(microBatchRows(tiny, lengths, 4, 21_472), 2);
  assert.equal(microBatchRows(tiny, lengths, 4, 21_471), 1);
  assert.equal(microBatchRows(tiny, lengths, 1, 1e12), 1);
  assert.equal(microBatchRows(tiny, lengths, 16, 1e12), 4);
  // A micro-batch is cut to its own longest row. One row of 9 (N 8, T 8): layer 2176 + 1600 + 1408, inputs 64 →
  // (824 + 5248)·4 = 24,288; two rows of 9: (824 + 10,368 + 128)·4 = 45,280; three rows of 5: (824 + 6720 + 96)·4
  // = 30,560.
  assert.equal(updatePeakBytes(tiny, 1, 9), 24_288);
  assert.equal(updatePeakBytes(tiny, 2, 9), 45_280);
  assert.equal(updatePeakBytes(tiny, 3, 5), 30_560);
  // [5, 5, 5, 9] at 24,288: pairs would put the 9 with a 5 (45,280), so single rows.
  assert.equal(microBatchRows(tiny, [5, 5, 5, 9], 4, 24_288), 1);
  // At 45,280 groups of 3 fit: [5, 5, 5] (30,560) and [9] (24,288); all 4 would be 4 rows of 9.
  assert.equal(microBatchRows(tiny, [5, 5, 5, 9], 4, 45_280), 3);
});

test('a budget nothing fits, or no budget at all, is a clear error', () => {
  assert.throws(
    () => microBatchRows(tiny, [5, 5], 2, 12_383),
    (e: unknown) =>
      e instanceof MemoryBudgetError &&
      e.needed === 12_384 &&
      /needs about 0\.012 MiB for one sequence of 5 tokens, over the memory budget of 0\.012 MiB: raise grpo\.memoryBudgetMb/.test(
        e.message
      )
  );
  for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => microBatchRows(tiny, [5], 1, bad), /memory budget must be a positive number of bytes/);
  }
});

test('default budget: 3 GiB on wasm, half the machine elsewhere', async () => {
  const os = await import('node:os');
  assert.equal(WASM_MEMORY_BUDGET, 3 * 2 ** 30);
  assert.equal(defaultMemoryBudget('wasm'), WASM_MEMORY_BUDGET);
  assert.equal(defaultMemoryBudget('tensorflow'), Math.floor(os.totalmem() / 2));
});

function samplesOf(config: ModelConfig, rows: number, length: number): GrpoSample[] {
  return Array.from({ length: rows }, (_, i) => ({
    prompt: [1, 2 + (i % 5)],
    response: Array.from({ length: length - 2 }, (_, t) => 1 + ((i * 7 + t * 3) % (config.vocabSize - 1))),
    advantage: i % 3 === 0 ? 1 : -0.25,
  }));
}

for (const [pass, gradientCheckpointing] of [
  ['layerwise', true],
  ['tape', false],
] as const) {
  test(`the ${pass} estimate covers a measured update: 8 rows × 96 tokens, 4 layers (${backend.name})`, async () => {
    const config = microConfig({ numLayers: 4, maxPositions: 128 });
    const before = tf.memory().numBytes;
    const params = initParams(config, 3);
    const adam = new Adam(params, { learningRate: 1e-3 });
    const samples = samplesOf(config, 8, 96);
    const info = await tf.profile(() => {
      grpoUpdate(params, config, adam, samples, { gradientCheckpointing });
    });
    const measured = info.peakBytes - before;
    const estimate = updatePeakBytes(config, 8, 96, undefined, pass);
    assert.ok(measured <= estimate, `measured ${measured} bytes > estimate ${estimate}`);
    assert.ok(estimate <= 2 * measured, `estimate ${estimate} bytes is over twice the measured ${measured}`);
    adam.dispose();
    disposeParams(params);
  });
}

test('grpoUpdate cuts micro-batches to the budget; the loss stays the whole batch’s', async () => {
  const config = microConfig();
  const samples = samplesOf(config, 6, 20);
  const run = async (memoryBudget?: number) => {
    const params = initParams(config, 4);
    const adam = new Adam(params, { learningRate: 1e-3 });
    let microBatches = 0;
    const m = await grpoUpdateAsync(params, config, adam, samples, {
      memoryBudget,
      onProgress: (p) => {
        microBatches = p.microBatches;
      },
    });
    adam.dispose();
    disposeParams(params);
    return { loss: m.loss, gradNorm: m.gradNorm, microBatches };
  };
  const whole = await run();
  const budget = updatePeakBytes(config, 2, 20);
  const cut = await run(budget);
  assert.equal(whole.microBatches, 1);
  assert.equal(cut.microBatches, 3, '6 sequences in micro-batches of 2');
  assert.ok(Math.abs(whole.loss) > 0.1, `loss ${whole.loss}`);
  assert.ok(Math.abs(whole.loss - cut.loss) <= 1e-5 * Math.abs(whole.loss), `${whole.loss} vs ${cut.loss}`);
  assert.ok(Math.abs(whole.gradNorm - cut.gradNorm) <= 1e-5 * whole.gradNorm);
  await assert.rejects(run(1000), /needs about .* MiB for one sequence of 20 tokens/);
});
