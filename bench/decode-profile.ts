/**
 * `npm run bench -- decode-profile`: where a cached decoding step's time goes, on the models of engine-vs-torch
 * (bench/engine-vs-torch/models.ts) and their sampling (temperature, top-p, top-k). For a static batch it runs the
 * sampler's loop by hand (prefill, then decode steps of engine/kv-batch.ts and chooseToken per row) and times each
 * part: the step's tensor work (graph calls inside tf.tidy), the logits' copy to JS (top-k candidates, or whole rows
 * with BENCH_FULL_ROWS=1), freeing the old cache, the JS
 * token choice. A few steps run again under tf.profile for the time and count of each kernel kind; kernel time
 * against the step's tensor-work time is what tfjs's own bookkeeping costs per call.
 *
 * Knobs (environment): BENCH_MODELS (default demo,qwen2-40m), BENCH_STEPS (timed steps, default 64), BENCH_PROMPTS
 * and BENCH_G (prompts and samples per prompt, default the model's), OMNI_ZERO_BACKEND.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend.ts';
import { loadCheckpoint } from '../engine/checkpoint/checkpoint.ts';
import {
  type Batch,
  type BatchModel,
  type BatchRow,
  decodeStep,
  decodeTensors,
  hostLogits,
  prefill,
} from '../engine/kv-batch.ts';
import { chooseFromRow } from '../engine/logits-processing.ts';
import { disposeFused, fuseProjections } from '../engine/model/fused.ts';
import { initParams } from '../engine/model/init.ts';
import { disposeCache } from '../engine/model/transformer.ts';
import { ByteTokenizer } from '../engine/tokenizer/byte.ts';
import type { ModelConfig, Params } from '../engine/types.ts';
import { mulberry32 } from '../rl/random.ts';
import { BENCH_MODELS, type BenchModel, SAMPLING } from './engine-vs-torch/models.ts';
import { machineInfo } from './machine.ts';

const backend = await initBackend();
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const models = (process.env.BENCH_MODELS ?? 'demo,qwen2-40m').split(',');
const steps = Number(process.env.BENCH_STEPS ?? 64);
const PROFILED_STEPS = 4;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function load(spec: BenchModel): Promise<{ params: Params; config: ModelConfig; padId: number }> {
  if (spec.checkpoint) {
    const ck = await loadCheckpoint(path.join(ROOT, spec.checkpoint), { optimizer: false });
    return { params: ck.params, config: ck.config, padId: ck.tokenizer?.padId ?? 0 };
  }
  return { params: initParams(spec.config!, 0), config: spec.config!, padId: new ByteTokenizer().padId };
}

interface Row extends BatchRow {
  random: () => number;
}

/** Milliseconds per step of each part of the loop, and the kernels of a few profiled steps. */
async function profileModel(name: string) {
  const known: BenchModel = BENCH_MODELS[name as keyof typeof BENCH_MODELS];
  if (!known) throw new Error(`BENCH_MODELS: unknown model '${name}'`);
  const spec = {
    ...known,
    prompts: Number(process.env.BENCH_PROMPTS ?? known.prompts),
    samplesPerPrompt: Number(process.env.BENCH_G ?? known.samplesPerPrompt),
  };
  const { params, config, padId } = await load(spec);
  const random = mulberry32(spec.seed);
  const prompts = Array.from({ length: spec.prompts }, (_, i) =>
    Array.from({ length: 7 + (i % 5) }, () => 3 + Math.floor(random() * 250))
  );
  const promptLength = Math.max(...prompts.map((p) => p.length));
  const fused = fuseProjections(params, config);
  const model: BatchModel = {
    params,
    config,
    fused,
    padId,
    promptLength,
    sampling: process.env.BENCH_FULL_ROWS ? undefined : SAMPLING,
  };
  const rows: Row[] = prompts.flatMap((prompt, p) =>
    Array.from({ length: spec.samplesPerPrompt }, (_, s) => ({
      promptSlot: p,
      prompt,
      padding: promptLength - prompt.length,
      staticPadding: promptLength - prompt.length,
      tokens: [],
      random: mulberry32(1000 * p + s),
    }))
  );
  const vocab = config.vocabSize;
  const parts = { tensorWork: 0, logitsToJs: 0, freeOldCache: 0, chooseTokens: 0 };
  const choose = (b: Batch<Row>) =>
    b.rows.forEach((row, i) => {
      const { token } = chooseFromRow(b.logits[i], SAMPLING, [], row.random());
      row.tokens.push(token);
    });
  /** decodeStep split into its parts (same calls, timed one by one). */
  const step = (b: Batch<Row>): Batch<Row> => {
    const t0 = performance.now();
    const out = tf.tidy(() => decodeTensors(model, b));
    const t1 = performance.now();
    disposeCache(b.cache);
    const t2 = performance.now();
    const logits = hostLogits(out.last, model.sampling);
    const t3 = performance.now();
    parts.tensorWork += t1 - t0;
    parts.freeOldCache += t2 - t1;
    parts.logitsToJs += t3 - t2;
    return { rows: b.rows, cache: { layers: out.layers, length: b.cache!.length + 1 }, logits };
  };
  let batch = prefill(model, prompts, rows);
  const maxSteps = config.maxPositions - promptLength - 1;
  const warm = Math.min(8, maxSteps);
  for (let i = 0; i < warm; i++) {
    choose(batch);
    batch = decodeStep(model, batch);
  }
  const timed = Math.min(steps, maxSteps - warm - PROFILED_STEPS);
  Object.keys(parts).forEach((k) => {
    parts[k as keyof typeof parts] = 0;
  });
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < timed; i++) {
    const c0 = performance.now();
    choose(batch);
    parts.chooseTokens += performance.now() - c0;
    batch = step(batch);
  }
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const kernels = new Map<string, { calls: number; ms: number }>();
  let profiledWall = 0;
  for (let i = 0; i < PROFILED_STEPS; i++) {
    choose(batch);
    let next: Batch<Row> | undefined;
    const t0 = performance.now();
    const info = await tf.profile(() => {
      next = decodeStep(model, batch);
      return [];
    });
    profiledWall += performance.now() - t0;
    batch = next!;
    for (const k of info.kernels) {
      const entry = kernels.get(k.name) ?? { calls: 0, ms: 0 };
      entry.calls += 1;
      entry.ms += k.kernelTimeMs as number;
      kernels.set(k.name, entry);
    }
  }
  disposeCache(batch.cache);
  disposeFused(fused);
  tf.dispose([...params.values()]);
  const perStep = (ms: number) => round(ms / timed);
  const kernelRows = [...kernels.entries()]
    .map(([kernel, k]) => ({ kernel, callsPerStep: k.calls / PROFILED_STEPS, msPerStep: round(k.ms / PROFILED_STEPS) }))
    .sort((a, b) => b.msPerStep - a.msPerStep);
  const kernelMs = kernelRows.reduce((s, k) => s + k.msPerStep, 0);
  return {
    model: name,
    rows: rows.length,
    vocab,
    layers: config.numLayers,
    cacheLengthAtEnd: promptLength + warm + timed + PROFILED_STEPS,
    timedSteps: timed,
    msPerStep: {
      wall: perStep(wall),
      cpu: perStep((used.user + used.system) / 1000),
      ...Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, perStep(v)])),
    },
    tokensPerSec: Math.round((rows.length * timed) / (wall / 1000)),
    profiled: {
      msPerStepUnderProfile: round(profiledWall / PROFILED_STEPS),
      kernelCallsPerStep: kernelRows.reduce((s, k) => s + k.callsPerStep, 0),
      kernelMsPerStep: round(kernelMs),
      kernels: kernelRows,
    },
  };
}

const results = [];
for (const name of models) results.push(await profileModel(name));
console.log(
  JSON.stringify({ area: 'decode-profile', machine: machineInfo(), backend: backend.choice, models: results })
);
