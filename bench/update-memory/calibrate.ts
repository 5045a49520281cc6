/**
 * `BENCH_PHASES=calibrate npm run bench -- update-memory`: the measured peaks behind engine/train/memory-budget.ts's
 * coefficients. For six one-layer shapes (d 128–512, vocabularies 263–32 k), the tensor peak (tf.profile) of one
 * layer's backward and of the head's, each beside the estimate's term for it; and the whole-model tape's peak on the
 * same shapes with 2 and 4 layers: half their difference is what the tape holds per layer, beside its term, and the
 * 4-layer peak beside the tape's whole estimate. Prints one JSON object; a ratio (measured ÷ estimated) above 1 means
 * the estimate is too low for that shape on this backend.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/backend.ts';
import { parameterCount, parameterShapes } from '../../engine/model/config.ts';
import { disposeParams, initParams } from '../../engine/model/init.ts';
import { param } from '../../engine/model/param.ts';
import { decoderLayer, embedIds, finalNorm, trainingLayerInputs } from '../../engine/model/transformer.ts';
import { scoresOfHidden, trunkIds } from '../../engine/train/logprobs.ts';
import {
  headBackwardElements,
  layerBackwardElements,
  tapeLayerElements,
  updatePeakBytes,
} from '../../engine/train/memory-budget.ts';
import { tapeGradients } from '../../engine/train/tape-grads.ts';
import type { ModelConfig } from '../../engine/types.ts';

const backend = await initBackend();
const qwen = { hiddenSize: 512, numHeads: 8, numKvHeads: 2, headDim: 64, intermediateSize: 1408 };
const SHAPES: [rows: number, length: number, shape: Partial<ModelConfig>][] = [
  [8, 256, { ...qwen, vocabSize: 32768 }],
  [4, 256, { ...qwen, vocabSize: 32768 }],
  [8, 128, { ...qwen, vocabSize: 8192 }],
  [16, 64, { hiddenSize: 256, numHeads: 8, numKvHeads: 4, headDim: 32, intermediateSize: 704, vocabSize: 4096 }],
  [4, 512, { hiddenSize: 128, numHeads: 4, numKvHeads: 2, headDim: 32, intermediateSize: 352, vocabSize: 263 }],
  [32, 64, { hiddenSize: 128, numHeads: 4, numKvHeads: 4, headDim: 32, intermediateSize: 512, vocabSize: 1000 }],
];

async function peakOver(work: () => void): Promise<number> {
  const base = tf.memory().numBytes;
  return (await tf.profile(work)).peakBytes - base;
}

type Batch = { ids: number[][]; mask: number[][] };

/** The whole-model tape's peak over the weights on `batch`, for `config` with `layers` layers. */
async function tapePeak(config: ModelConfig, layers: number, batch: Batch): Promise<number> {
  const deep = { ...config, numLayers: layers };
  const params = initParams(deep, 0);
  const peak = await peakOver(() => {
    const { grads } = tapeGradients(params, deep, trunkIds(batch), (h) => {
      const { logprobs } = scoresOfHidden(params, deep, h, batch);
      return logprobs.mul(tf.tensor2d(batch.mask)).sum() as tf.Scalar;
    });
    tf.dispose([...grads.values()]);
  });
  disposeParams(params);
  return peak;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const results = [];
for (const [b, t, shape] of SHAPES) {
  const config = {
    numLayers: 1,
    maxPositions: 1024,
    ropeTheta: 1e6,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    qkvBias: true,
    qkNorm: false,
    ...shape,
  } as ModelConfig;
  const params = initParams(config, 0);
  const ids = Array.from({ length: b }, (_, r) =>
    Array.from({ length: t }, (_, j) => 3 + ((r * 977 + j * 131) % (config.vocabSize - 3)))
  );
  const batch = { ids, mask: ids.map((row) => row.map((_, j) => (j > 10 ? 1 : 0))) };
  const inputs = trainingLayerInputs(config, b, t - 1);
  const x = tf.tidy(() =>
    embedIds(
      params,
      ids.map((r) => r.slice(0, -1))
    )
  );
  const dy = tf.onesLike(x);
  const names = [...parameterShapes(config).keys()].filter((n) => n.startsWith('model.layers.0.'));
  const layer = await peakOver(() => {
    const f = (xi: tf.Tensor) => decoderLayer(params, config, 0, xi, inputs).x;
    tf.dispose(tf.grads(f)([x, ...names.map((n) => param(params, n))], dy));
  });
  const head = await peakOver(() => {
    const r = tf.valueAndGrads((xi: tf.Tensor) => {
      const { logprobs } = scoresOfHidden(params, config, finalNorm(params, config, xi), batch);
      return logprobs.mul(tf.tensor2d(batch.mask)).sum() as tf.Scalar;
    })([x, param(params, 'model.norm.weight'), param(params, 'model.embed_tokens.weight')]);
    tf.dispose([r.value, ...r.grads]);
  });
  const layerEstimate = 4 * layerBackwardElements(config, b, t);
  const headEstimate = 4 * headBackwardElements(config, b, t);
  tf.dispose([x, dy, inputs.rotary.cos, inputs.rotary.sin, ...(inputs.mask ? [inputs.mask] : [])]);
  disposeParams(params);
  const tape2 = await tapePeak(config, 2, batch);
  const tape4 = await tapePeak(config, 4, batch);
  // The tape's estimate without the weights (present before the profile) and Adam's moments (absent here).
  const tape4Estimate =
    updatePeakBytes({ ...config, numLayers: 4 }, b, t, undefined, 'tape') -
    4 * 3 * parameterCount({ ...config, numLayers: 4 });
  const { hiddenSize: d, vocabSize: v } = config;
  results.push({
    rows: b,
    tokens: t,
    hidden: d,
    vocab: v,
    layerMb: Math.round(layer / 2 ** 20),
    layerRatio: round2(layer / layerEstimate),
    headMb: Math.round(head / 2 ** 20),
    headRatio: round2(head / headEstimate),
    tapeLayerMb: Math.round((tape4 - tape2) / 2 / 2 ** 20),
    tapeLayerRatio: round2((tape4 - tape2) / 2 / (4 * tapeLayerElements(config, b, t))),
    tape4LayersMb: Math.round(tape4 / 2 ** 20),
    tape4LayersRatio: round2(tape4 / tape4Estimate),
  });
}
console.log(JSON.stringify({ phase: 'calibrate', backend: backend.choice, shapes: results }));
