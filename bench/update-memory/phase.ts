/**
 * One phase of `npm run bench -- update-memory`, in a process of its own so its peak RSS is this phase's alone (freed
 * memory stays in the process). Prints one JSON object. Usage: phase.ts <phase> <model> [microBatchSize]
 * [gradientCheckpointing: auto, true or false]
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/backend.ts';
import { initParams } from '../../engine/model/init.ts';
import { forward } from '../../engine/model/transformer.ts';
import { Adam } from '../../engine/train/adam.ts';
import { chunks, toTokenBatch } from '../../engine/train/batch.ts';
import { type GrpoSample, grpoLossTensor, grpoUpdate } from '../../engine/train/grpo.ts';
import { layerwiseGradients } from '../../engine/train/layerwise-grads.ts';
import { scoresOfHidden, scoreTokensNoGrad, trunkIds } from '../../engine/train/logprobs.ts';
import { defaultMemoryBudget, type GradientCheckpointing, gradientPlan } from '../../engine/train/memory-budget.ts';
import { tapeGradients } from '../../engine/train/tape-grads.ts';
import { mulberry32 } from '../../rl/random.ts';
import { UPDATE_MEMORY_MODELS } from './models.ts';

const MB = 2 ** 20;
const [phaseName, modelName, microArg, checkpointingArg] = process.argv.slice(2);
const shape = UPDATE_MEMORY_MODELS[modelName as keyof typeof UPDATE_MEMORY_MODELS];
const microBatchSize = microArg ? Number(microArg) : undefined;
const gradientCheckpointing: GradientCheckpointing =
  checkpointingArg === 'true' ? true : checkpointingArg === 'false' ? false : 'auto';

const backend = await initBackend();
const { config, rows, length } = shape;
const params = initParams(config, 0);
const random = mulberry32(2);
const randomId = () => 3 + Math.floor(random() * (config.vocabSize - 3));
const samples: GrpoSample[] = Array.from({ length: rows }, (_, i) => {
  const prompt = Array.from({ length: 10 }, randomId);
  return { prompt, response: Array.from({ length: length - 10 }, randomId), advantage: i % 2 === 0 ? 1 : -1 };
});
const batch = toTokenBatch(samples, 0);
const options = { temperature: 0.7, microBatchSize };
// Old log-probs given, as engine-vs-torch does: the update phase is then forward + backward + Adam. Scored 4 rows at
// a time, so long sequences on wasm fit its heap here too.
const old = chunks(rows, 4).flatMap(
  (group) =>
    scoreTokensNoGrad(
      params,
      config,
      { ids: group.map((i) => batch.ids[i]), mask: group.map((i) => batch.mask[i]) },
      options
    ).logprobs
);
samples.forEach((s, i) => {
  s.oldLogprobs = old[i].slice(s.prompt.length);
});
const optimizer = new Adam(params, { learningRate: 1e-4 });

const rssMb = (field: 'VmRSS' | 'VmHWM') =>
  Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024);

/** The update's loss (token-mean PPO-clip, ε 0.2) on these scores. */
function lossOf(scores: { logprobs: tf.Tensor; entropy: tf.Tensor }): tf.Scalar {
  const w = batch.mask.map((r) => r.map((m) => m / (rows * (length - 10))));
  const adv = samples.map((s) => s.advantage);
  const o = { epsilonLow: 0.2, epsilonHigh: 0.2, dualClip: null, klCoef: 0, entropyCoef: 0 };
  return grpoLossTensor(scores.logprobs, scores.entropy, old, adv, w, o).loss as tf.Scalar;
}

/** The tape's gradient pass: one tf.variableGrads over the whole model. */
function tapeGrads(): void {
  const { grads } = tapeGradients(params, config, trunkIds(batch), (h) =>
    lossOf(scoresOfHidden(params, config, h, batch, options))
  );
  tf.dispose([...grads.values()]);
}

/** The layer-wise gradient pass: one layer at a time, the layers' forward run twice. */
function layerGrads(): void {
  const { grads } = layerwiseGradients(params, config, trunkIds(batch), (h) =>
    lossOf(scoresOfHidden(params, config, h, batch, options))
  );
  tf.dispose([...grads.values()]);
}

/** CPU milliseconds of the two gradient passes, alternating in this process, medians of 5 after a warm-up each. */
function gradCost(): void {
  const cpuMs = (f: () => void) => {
    const start = process.cpuUsage();
    f();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  tapeGrads();
  layerGrads();
  const tape: number[] = [];
  const layerwise: number[] = [];
  for (let r = 0; r < 5; r++) {
    tape.push(cpuMs(tapeGrads));
    layerwise.push(cpuMs(layerGrads));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    JSON.stringify({
      phase: 'grad-cost',
      backend: backend.choice,
      cpuMs: { tape: Math.round(median(tape)), layerwise: Math.round(median(layerwise)) },
      layerwiseOverTape: Math.round((median(layerwise) / median(tape)) * 100) / 100,
    })
  );
  process.exit(0);
}

const PHASES: Record<string, () => void> = {
  'score-trunk': () => tf.tidy(() => void forward(params, config, { ids: batch.ids.map((row) => row.slice(0, -1)) })),
  score: () => void scoreTokensNoGrad(params, config, batch, options),
  'tape-grads': tapeGrads,
  'grad-cost': gradCost,
  'layer-grads': layerGrads,
  update: () => void grpoUpdate(params, config, optimizer, samples, { ...options, gradientCheckpointing }),
};
const work = PHASES[phaseName];
if (!work) {
  console.error(`phase: use one of ${Object.keys(PHASES).join(', ')}, got '${phaseName}'`);
  process.exit(1);
}
if (phaseName === 'grad-cost') gradCost();
const baseRssMb = rssMb('VmRSS');
const baseTensorMb = tf.memory().numBytes / MB;
const runs = [];
for (let r = 0; r < 2; r++) {
  const start = performance.now();
  const info = await tf.profile(work as () => tf.TensorContainer);
  runs.push({ ms: Math.round(performance.now() - start), tensorPeakMb: Math.round(info.peakBytes / MB) });
}
console.log(
  JSON.stringify({
    phase: phaseName,
    backend: backend.choice,
    baseRssMb,
    baseTensorMb: Math.round(baseTensorMb),
    rssPeakMb: rssMb('VmHWM'),
    ...(phaseName === 'update' && {
      gradientPlan: gradientPlan(
        config,
        samples.map((x) => x.prompt.length + x.response.length),
        microBatchSize ?? rows,
        defaultMemoryBudget(tf.getBackend()),
        gradientCheckpointing
      ),
    }),
    runs,
    tensorsLeft: tf.memory().numTensors,
  })
);
