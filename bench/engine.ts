/**
 * `npm run bench -- engine`: the policy engine on this machine's backend (OMNI_ZERO_BACKEND picks one). Every figure
 * is measured in this run; ratios (KV cache vs recompute, model vs plain matmul) compare like with like.
 *
 * Model: the `tiny` preset with the byte tokenizer (the demo's policy). FLOP counts: a forward costs 2 FLOPs per
 * weight-matrix parameter per token (the embedding is a lookup, the head a matmul) plus attention's 4·T·layers·
 * heads·headDim per token; training costs 3× a forward.
 *
 * Knobs (environment): BENCH_PRESET (default tiny), BENCH_VOCAB (a larger vocabulary than the byte tokenizer's, e.g.
 * 32768 for a Qwen2-sized head; prompts stay byte ids), BENCH_SECTIONS (comma list of matmul, kv, rollout, update;
 * default all), BENCH_ROLLOUT_G (samples per prompt in the rollout, default 8), BENCH_TOP_P, BENCH_TOP_K and
 * BENCH_TEMPERATURE (the rollout's sampling; default plain sampling at temperature 1).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend.ts';
import { parameterCount, parameterShapes, presetConfig } from '../engine/model/config.ts';
import { initParams } from '../engine/model/init.ts';
import { generate, type Rollout } from '../engine/sampler.ts';
import { ByteTokenizer } from '../engine/tokenizer/byte.ts';
import { Adam } from '../engine/train/adam.ts';
import { grpoUpdate } from '../engine/train/grpo.ts';
import type { ModelConfig } from '../engine/types.ts';
import { machineInfo } from './machine.ts';
import { BENCH_PROMPT_TEXTS } from './prompts.ts';
import { wideVocabulary } from './wide-vocab.ts';

const backend = await initBackend();
const bytes = new ByteTokenizer({ tagTokens: ['<think>', '</think>', '<answer>', '</answer>'] });
const preset = process.env.BENCH_PRESET ?? 'tiny';
const vocabOverride = process.env.BENCH_VOCAB ? Number(process.env.BENCH_VOCAB) : undefined;
const config = presetConfig(preset, Math.max(bytes.vocabSize, vocabOverride ?? 0));
const tokenizer = wideVocabulary(bytes, config.vocabSize);
const sections = new Set((process.env.BENCH_SECTIONS ?? 'matmul,kv,rollout,update').split(','));
const envNumber = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
const rolloutSampling = {
  topP: envNumber('BENCH_TOP_P'),
  topK: envNumber('BENCH_TOP_K'),
  temperature: envNumber('BENCH_TEMPERATURE'),
};
const params = initParams(config, 0);
const prompts = BENCH_PROMPT_TEXTS.map((t) => [bytes.bosId, ...bytes.encode(t)]);

/** FLOPs of one forward over a token at context length `ctx`. */
function forwardFlops(c: ModelConfig, ctx: number): number {
  let matrix = 0;
  for (const [name, shape] of parameterShapes(c))
    if (shape.length === 2 && name !== 'model.embed_tokens.weight') matrix += shape[0] * shape[1];
  if (c.tieWordEmbeddings) matrix += c.vocabSize * c.hiddenSize;
  return 2 * matrix + 4 * ctx * c.numLayers * c.numHeads * c.headDim;
}

async function timed<T>(f: () => Promise<T> | T): Promise<[T, number, number]> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const out = await f();
  const used = process.cpuUsage(cpu);
  return [out, (performance.now() - start) / 1000, (used.user + used.system) / 1e6];
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const result: Record<string, unknown> = {
  area: 'engine',
  machine: machineInfo(),
  backend: backend.choice,
  backendDetail: { name: backend.name, simd: backend.simd, threads: backend.threads },
  preset,
  vocabSize: config.vocabSize,
  params: parameterCount(config),
};

// 1. Plain matmul on the same backend: the ceiling the model's GFLOP/s is compared with.
let matmulGflops: number | undefined;
if (sections.has('matmul')) {
  const n = 512;
  const a = tf.randomNormal([n, n], 0, 1, 'float32', 1);
  const b = tf.randomNormal([n, n], 0, 1, 'float32', 2);
  tf.matMul(a, b).dispose();
  const reps = 20;
  const [, matmulSeconds] = await timed(() => {
    for (let i = 0; i < reps; i++) {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    }
  });
  matmulGflops = (2 * n ** 3 * reps) / matmulSeconds / 1e9;
  result.matmulGflops = round(matmulGflops);
}

// 2. KV cache vs full recomputation: same prompts, same seed, EOS ignored so every row runs 256 tokens. A cached
// step costs about the same for 8 or 64 rows (per-op overhead), a recomputed one grows with rows × length, so the
// ratio depends on the batch: 4 prompts × 4 samples is a small rollout batch (the probe used 64 rows).
if (sections.has('kv')) {
  const kvTokens = 256;
  const kvPrompts = prompts.slice(0, Number(process.env.BENCH_KV_PROMPTS ?? 4));
  const kvOptions = { maxNewTokens: kvTokens, samplesPerPrompt: 4, seed: 1, eosId: -1 };
  await generate(params, config, tokenizer, kvPrompts, { ...kvOptions, maxNewTokens: 4 });
  const [kvOut, kvSeconds, kvCpu] = await timed(() =>
    generate(params, config, tokenizer, kvPrompts, { ...kvOptions, mode: 'kv' })
  );
  const [fullOut, fullSeconds, fullCpu] = await timed(() =>
    generate(params, config, tokenizer, kvPrompts, { ...kvOptions, mode: 'recompute' })
  );
  const mismatches = kvOut.reduce((m, r, i) => m + r.tokens.filter((t, j) => t !== fullOut[i].tokens[j]).length, 0);
  if (mismatches > 0) throw new Error(`KV cache and recompute disagree on ${mismatches} tokens`);
  result.kvCache = {
    rows: kvOut.length,
    newTokens: kvTokens,
    kvSeconds: round(kvSeconds),
    recomputeSeconds: round(fullSeconds),
    kvCpuSeconds: round(kvCpu),
    recomputeCpuSeconds: round(fullCpu),
    tokenMismatches: mismatches,
  };
  result.kvCacheSpeedup = round(fullSeconds / kvSeconds, 1);
  // By CPU time too: on a loaded machine wall time also measures the scheduler.
  result.kvCacheSpeedupCpu = round(fullCpu / kvCpu, 1);
}

// 3. Rollout throughput: 8 prompts × G (default 8), 128 new tokens each, KV cache.
const rolloutNew = 128;
const rolloutOptions = {
  ...rolloutSampling,
  maxNewTokens: rolloutNew,
  samplesPerPrompt: Number(process.env.BENCH_ROLLOUT_G ?? 8),
  seed: 2,
  eosId: -1,
};
let rollouts: Rollout[] | undefined;
if (sections.has('rollout') || sections.has('update')) {
  await generate(params, config, tokenizer, prompts.slice(0, 1), { ...rolloutOptions, maxNewTokens: 4 });
  const [out, rolloutSeconds] = await timed(() => generate(params, config, tokenizer, prompts, rolloutOptions));
  rollouts = out;
  const rolloutTokens = out.reduce((s, r) => s + r.tokens.length, 0);
  const avgPrompt = prompts.reduce((s, p) => s + p.length, 0) / prompts.length;
  const rolloutFlops = out.reduce((s, r) => {
    let f = 0;
    for (let t = 0; t < r.tokens.length; t++) f += forwardFlops(config, avgPrompt + t);
    return s + f;
  }, 0);
  result.rollout = {
    rows: out.length,
    newTokens: rolloutNew,
    sampling: rolloutSampling,
    seconds: round(rolloutSeconds),
  };
  result.rolloutTokensPerSec = Math.round(rolloutTokens / rolloutSeconds);
  result.rolloutModelGflops = round(rolloutFlops / rolloutSeconds / 1e9);
}

// 4. GRPO update throughput: the rollouts truncated to 64 response tokens, one optimiser step, warm-up first.
if (sections.has('update') && rollouts) {
  const samples = rollouts.map((r, i) => ({
    prompt: prompts[r.promptIndex],
    response: r.tokens.slice(0, 64),
    advantage: i % 2 === 0 ? 1 : -1,
  }));
  const optimizer = new Adam(params, { learningRate: 1e-4 });
  grpoUpdate(params, config, optimizer, samples.slice(0, 8));
  const [metrics, updateSeconds] = await timed(() => grpoUpdate(params, config, optimizer, samples));
  const updateTokens = samples.reduce((s, x) => s + x.prompt.length + x.response.length, 0);
  const updateFlops = samples.reduce((s, x) => {
    let f = 0;
    for (let t = 0; t < x.prompt.length + x.response.length; t++) f += 3 * forwardFlops(config, t);
    return s + f;
  }, 0);
  // The update also recomputes old log-probs (one extra forward) because the samples carry none.
  const updateFlopsWithOld = updateFlops * (4 / 3);
  result.update = {
    sequences: samples.length,
    tokens: updateTokens,
    scoredTokens: metrics.tokens,
    seconds: round(updateSeconds),
  };
  result.updateTokensPerSec = Math.round(updateTokens / updateSeconds);
  result.updateModelGflops = round(updateFlopsWithOld / updateSeconds / 1e9);
  if (matmulGflops !== undefined) result.modelVsMatmul = round(updateFlopsWithOld / updateSeconds / 1e9 / matmulGflops);
}

result.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(result));
