/**
 * `BENCH_PHASES=calibrate npm run bench -- update-memory`: the measured peaks behind engine/train/memory-budget.ts's
 * coefficients. For six one-layer shapes (d 128–512, vocabularies 263–32 k), the tensor peak (tf.profile) of one
 * layer's backward and of the head's, each beside the estimate's term for it. Prints one JSON object; a ratio
 * (measured ÷ estimated) above 1 means the estimate is too low for that shape on this backend.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/backend.ts';
import { parameterShapes } from '../../engine/model/config.ts';
import { disposeParams, initParams } from '../../engine/model/init.ts';
import { param } from '../../engine/model/param.ts';
import { decoderLayer, embedIds, finalNorm, trainingLayerInputs } from '../../engine/model/transformer.ts';
import { scoresOfHidden } from '../../engine/train/logprobs.ts';
import { headBackwardElements, layerBackwardElements } from '../../engine/train/memory-budget.ts';
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
  const { hiddenSize: d, vocabSize: v } = config;
  results.push({
    rows: b,
    tokens: t,
    hidden: d,
    vocab: v,
    layerMb: Math.round(layer / 2 ** 20),
    layerRatio: Math.round((layer / layerEstimate) * 100) / 100,
    headMb: Math.round(head / 2 ** 20),
    headRatio: Math.round((head / headEstimate) * 100) / 100,
  });
  tf.dispose([x, dy, inputs.rotary.cos, inputs.rotary.sin, ...(inputs.mask ? [inputs.mask] : [])]);
  disposeParams(params);
}
console.log(JSON.stringify({ phase: 'calibrate', backend: backend.choice, shapes: results }));
