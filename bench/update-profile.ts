/**
 * `npm run bench -- update-profile`: where one GRPO update's time goes, on the demo model's update of engine-vs-torch
 * (bench/engine-vs-torch/models.ts: 64 sequences × 74 tokens, its sampling temperature, the engine's own old
 * log-probs). Times a few updates at default options, then runs one more under tf.profile and prints each kernel
 * kind's calls and time, largest first; kernel time against the update's wall time is what tfjs's bookkeeping and
 * JavaScript cost around the kernels.
 *
 * Knobs (environment): BENCH_REPS (timed updates, default 5), OMNI_ZERO_BACKEND.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend.ts';
import { loadCheckpoint } from '../engine/checkpoint/checkpoint.ts';
import { Adam } from '../engine/train/adam.ts';
import { toTokenBatch } from '../engine/train/batch.ts';
import { type GrpoSample, grpoUpdate } from '../engine/train/grpo.ts';
import { scoreTokensNoGrad } from '../engine/train/logprobs.ts';
import { mulberry32 } from '../rl/random.ts';
import { BENCH_MODELS, SAMPLING } from './engine-vs-torch/models.ts';
import { machineInfo } from './machine.ts';

const backend = await initBackend();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reps = Number(process.env.BENCH_REPS ?? 5);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const spec = BENCH_MODELS.demo;

const ck = await loadCheckpoint(path.join(ROOT, spec.checkpoint), { optimizer: false });
const { params, config } = ck;
const padId = ck.tokenizer?.padId ?? 0;
const bosId = ck.tokenizer?.bosId ?? 1;
const random = mulberry32(spec.seed);
const randomIds = (n: number) => Array.from({ length: n }, () => 3 + Math.floor(random() * 253));
const samples: GrpoSample[] = Array.from({ length: spec.updateRows }, (_, i) => {
  const prompt = [bosId, ...randomIds(9)];
  return { prompt, response: randomIds(spec.updateLength - prompt.length), advantage: i % 2 === 0 ? 1 : -1 };
});
const old = scoreTokensNoGrad(params, config, toTokenBatch(samples, padId), { temperature: SAMPLING.temperature });
samples.forEach((s, i) => {
  s.oldLogprobs = old.logprobs[i].slice(s.prompt.length);
});
const optimizer = new Adam(params, { learningRate: 1e-4 });
const update = () => grpoUpdate(params, config, optimizer, samples, { temperature: SAMPLING.temperature, padId });

update();
const wallMs: number[] = [];
const cpuMs: number[] = [];
for (let r = 0; r < reps; r++) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  update();
  wallMs.push(performance.now() - start);
  const used = process.cpuUsage(cpu);
  cpuMs.push((used.user + used.system) / 1000);
}
const start = performance.now();
const info = await tf.profile(() => {
  update();
  return [];
});
const profiledMs = performance.now() - start;
const kernels = new Map<string, { calls: number; ms: number }>();
for (const k of info.kernels) {
  const entry = kernels.get(k.name) ?? { calls: 0, ms: 0 };
  entry.calls += 1;
  entry.ms += k.kernelTimeMs as number;
  kernels.set(k.name, entry);
}
const rows = [...kernels.entries()]
  .map(([kernel, k]) => ({ kernel, calls: k.calls, ms: round(k.ms) }))
  .sort((a, b) => b.ms - a.ms);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  JSON.stringify({
    area: 'update-profile',
    machine: machineInfo(),
    backend: backend.choice,
    update: { rows: spec.updateRows, tokensPerRow: spec.updateLength, layers: config.numLayers },
    msPerUpdate: {
      wallMedian: round(median(wallMs)),
      wallFastest: round(Math.min(...wallMs)),
      cpuMedian: round(median(cpuMs)),
      cpuFastest: round(Math.min(...cpuMs)),
      wall: wallMs.map((x) => round(x)),
    },
    profiled: {
      wallMs: round(profiledMs),
      kernelCalls: info.kernels.length,
      kernelMs: round(rows.reduce((s, k) => s + k.ms, 0)),
      kernels: rows,
    },
  })
);
