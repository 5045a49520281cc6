/**
 * `npm run bench -- engine`: the policy engine on this machine's backend (OMNI_ZERO_BACKEND picks one). Every figure
 * is measured in this run; ratios (KV cache vs recompute, model vs plain matmul) compare like with like.
 *
 * Model: the `tiny` preset with the byte tokenizer (the demo's policy). FLOP counts: a forward costs 2 FLOPs per
 * weight-matrix parameter per token (the embedding is a lookup, the head a matmul) plus attention's 4·T·layers·
 * heads·headDim per token; training costs 3× a forward.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend.ts';
import { parameterCount, parameterShapes, presetConfig } from '../engine/model/config.ts';
import { initParams } from '../engine/model/init.ts';
import { generate } from '../engine/sampler.ts';
import { ByteTokenizer } from '../engine/tokenizer/byte.ts';
import { Adam } from '../engine/train/adam.ts';
import { grpoUpdate } from '../engine/train/grpo.ts';
import type { ModelConfig } from '../engine/types.ts';
import { machineInfo } from './machine.ts';

const backend = await initBackend();
const tokenizer = new ByteTokenizer({ tagTokens: ['<think>', '</think>', '<answer>', '</answer>'] });
const preset = process.env.BENCH_PRESET ?? 'tiny';
const config = presetConfig(preset, tokenizer.vocabSize);
const params = initParams(config, 0);
const texts = [
  '12+35=',
  'What is 7*8? ',
  'Write a haiku',
  'def f(x):',
  'Solve x+3=5.',
  '9-4=',
  'Hello',
  'The capital of',
];
const prompts = texts.map((t) => [tokenizer.bosId, ...tokenizer.encode(t)]);

/** FLOPs of one forward over a token at context length `ctx`. */
function forwardFlops(c: ModelConfig, ctx: number): number {
  let matrix = 0;
  for (const [name, shape] of parameterShapes(c))
    if (shape.length === 2 && name !== 'model.embed_tokens.weight') matrix += shape[0] * shape[1];
  if (c.tieWordEmbeddings) matrix += c.vocabSize * c.hiddenSize;
  return 2 * matrix + 4 * ctx * c.numLayers * c.numHeads * c.headDim;
}

async function timed<T>(f: () => Promise<T> | T): Promise<[T, number]> {
  const start = performance.now();
  const out = await f();
  return [out, (performance.now() - start) / 1000];
}

// 1. Plain matmul on the same backend: the ceiling the model's GFLOP/s is compared with.
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
const matmulGflops = (2 * n ** 3 * reps) / matmulSeconds / 1e9;

// 2. KV cache vs full recomputation: same prompts, same seed, EOS ignored so every row runs 256 tokens. A cached
// step costs about the same for 8 or 64 rows (per-op overhead), a recomputed one grows with rows × length, so the
// ratio depends on the batch: 4 prompts × 4 samples is a small rollout batch (the probe used 64 rows).
const kvTokens = 256;
const kvPrompts = prompts.slice(0, Number(process.env.BENCH_KV_PROMPTS ?? 4));
const kvOptions = { maxNewTokens: kvTokens, samplesPerPrompt: 4, seed: 1, eosId: -1 };
await generate(params, config, tokenizer, kvPrompts, { ...kvOptions, maxNewTokens: 4 });
const [kvOut, kvSeconds] = await timed(() =>
  generate(params, config, tokenizer, kvPrompts, { ...kvOptions, mode: 'kv' })
);
const [fullOut, fullSeconds] = await timed(() =>
  generate(params, config, tokenizer, kvPrompts, { ...kvOptions, mode: 'recompute' })
);
const mismatches = kvOut.reduce((m, r, i) => m + r.tokens.filter((t, j) => t !== fullOut[i].tokens[j]).length, 0);
if (mismatches > 0) throw new Error(`KV cache and recompute disagree on ${mismatches} tokens`);

// 3. Rollout throughput: 8 prompts × G = 8, 128 new tokens each, KV cache.
const rolloutNew = 128;
const [rollouts, rolloutSeconds] = await timed(() =>
  generate(params, config, tokenizer, prompts, { maxNewTokens: rolloutNew, samplesPerPrompt: 8, seed: 2, eosId: -1 })
);
const rolloutTokens = rollouts.reduce((s, r) => s + r.tokens.length, 0);
const avgPrompt = prompts.reduce((s, p) => s + p.length, 0) / prompts.length;
const rolloutFlops = rollouts.reduce((s, r) => {
  let f = 0;
  for (let t = 0; t < r.tokens.length; t++) f += forwardFlops(config, avgPrompt + t);
  return s + f;
}, 0);

// 4. GRPO update throughput: the 64 rollouts truncated to 64 response tokens, one optimiser step, warm-up first.
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

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
console.log(
  JSON.stringify({
    area: 'engine',
    machine: machineInfo(),
    backend: backend.choice,
    backendDetail: { name: backend.name, simd: backend.simd, threads: backend.threads },
    preset,
    params: parameterCount(config),
    matmulGflops: round(matmulGflops),
    kvCache: {
      rows: kvOut.length,
      newTokens: kvTokens,
      kvSeconds: round(kvSeconds),
      recomputeSeconds: round(fullSeconds),
      tokenMismatches: mismatches,
    },
    kvCacheSpeedup: round(fullSeconds / kvSeconds, 1),
    rollout: { rows: rollouts.length, newTokens: rolloutNew, seconds: round(rolloutSeconds) },
    rolloutTokensPerSec: Math.round(rolloutTokens / rolloutSeconds),
    rolloutModelGflops: round(rolloutFlops / rolloutSeconds / 1e9),
    update: {
      sequences: samples.length,
      tokens: updateTokens,
      scoredTokens: metrics.tokens,
      seconds: round(updateSeconds),
    },
    updateTokensPerSec: Math.round(updateTokens / updateSeconds),
    updateModelGflops: round(updateFlopsWithOld / updateSeconds / 1e9),
    modelVsMatmul: round(updateFlopsWithOld / updateSeconds / 1e9 / matmulGflops),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  })
);
