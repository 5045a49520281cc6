/**
 * `npm run bench -- rollout-tail`: a rollout whose responses have mixed lengths, decoded (a) as one static batch of
 * all rows, (b) in static batches of B rows one after another, each waiting for its longest row, and (c) with
 * continuous batching at most B rows at once (`batchRows`: a finished row's place goes to a queued one). Modes are
 * interleaved in each repetition; medians are printed with the mean and longest response length, and how many tokens
 * differ from (a) (on the cpu backend none can; elsewhere the numerics depend on the padding and row count).
 *
 * Lengths: the `tiny` preset at its random initialisation samples nearly uniformly, so a set of k stop tokens ends a
 * row with probability ≈ k/vocab per token: geometric lengths with a long tail cut by the window.
 *
 * Knobs (environment): BENCH_PRESET (default tiny), BENCH_PROMPTS (default 8), BENCH_ROLLOUT_G (default 8),
 * BENCH_MAX_NEW (default 256), BENCH_STOP_TOKENS (k, default 6), BENCH_BATCH_ROWS (comma list of B, default 16,32),
 * BENCH_REPS (default 3).
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend.ts';
import { presetConfig } from '../engine/model/config.ts';
import { initParams } from '../engine/model/init.ts';
import { type GenerateOptions, generate, type Rollout } from '../engine/sampler.ts';
import { ByteTokenizer } from '../engine/tokenizer/byte.ts';
import { machineInfo } from './machine.ts';
import { BENCH_PROMPT_TEXTS } from './prompts.ts';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const backend = await initBackend();
const tokenizer = new ByteTokenizer({ tagTokens: ['<think>', '</think>', '<answer>', '</answer>'] });
const preset = process.env.BENCH_PRESET ?? 'tiny';
const config = presetConfig(preset, tokenizer.vocabSize);
const params = initParams(config, 0);
const prompts = Array.from({ length: env('BENCH_PROMPTS', 8) }, (_, i) => [
  tokenizer.bosId,
  ...tokenizer.encode(BENCH_PROMPT_TEXTS[i % BENCH_PROMPT_TEXTS.length]),
]);
const g = env('BENCH_ROLLOUT_G', 8);
const stopTokens = tokenizer.encode('etaoinshrdlu').slice(0, env('BENCH_STOP_TOKENS', 6));
const options: GenerateOptions = {
  maxNewTokens: env('BENCH_MAX_NEW', 256),
  samplesPerPrompt: g,
  seed: 3,
  eosId: -1,
  stopSequences: stopTokens.map((t) => [t]),
};
const batchSizes = (process.env.BENCH_BATCH_ROWS ?? '16,32').split(',').map(Number);
const reps = env('BENCH_REPS', 3);
const longestPrompt = Math.max(...prompts.map((p) => p.length));

interface Run {
  out: Rollout[];
  steps: number;
  seconds: number;
  /** Process CPU seconds (all threads): steadier than wall time on a shared machine. */
  cpuSeconds: number;
  /** Most tensor memory held after any token step (weights, KV cache, logits). */
  peakTensorMb: number;
}

async function timed(f: (onStep: () => void) => Promise<Rollout[]>): Promise<Run> {
  let steps = 0;
  let peakBytes = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const out = await f(() => {
    steps++;
    peakBytes = Math.max(peakBytes, tf.memory().numBytes);
  });
  const used = process.cpuUsage(cpu);
  return {
    out,
    steps,
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    peakTensorMb: Math.round(peakBytes / 2 ** 20),
  };
}

/** Static batches of `rows` rows (whole prompts), one after another, padded as the whole batch is. */
async function staticChunks(rows: number, onStep: () => void): Promise<Rollout[]> {
  const perChunk = Math.max(1, Math.floor(rows / g));
  const out: Rollout[] = [];
  for (let p = 0; p < prompts.length; p += perChunk) {
    const chunk = prompts.slice(p, p + perChunk);
    out.push(
      ...(await generate(params, config, tokenizer, chunk, {
        ...options,
        promptIndexOffset: p,
        padToLength: longestPrompt,
        onStep,
      }))
    );
  }
  return out;
}

const modes: [string, (onStep: () => void) => Promise<Rollout[]>][] = [
  ['static, all rows', (onStep) => generate(params, config, tokenizer, prompts, { ...options, onStep })],
  ...batchSizes.flatMap((b): [string, (onStep: () => void) => Promise<Rollout[]>][] => [
    [`static, ${b} rows at a time`, (onStep) => staticChunks(b, onStep)],
    [
      `continuous, ${b} rows`,
      (onStep) => generate(params, config, tokenizer, prompts, { ...options, batchRows: b, onStep }),
    ],
  ]),
];

await generate(params, config, tokenizer, prompts.slice(0, 1), { ...options, maxNewTokens: 4 });
const runs = new Map<string, Run[]>(modes.map(([name]) => [name, []]));
for (let r = 0; r < reps; r++) for (const [name, f] of modes) runs.get(name)!.push(await timed(f));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const reference = runs.get(modes[0][0])![0].out;
const lengths = reference.map((r) => r.tokens.length);
const tokens = lengths.reduce((a, b) => a + b, 0);
const staticSeconds = median(runs.get(modes[0][0])!.map((x) => x.seconds));
const staticCpu = median(runs.get(modes[0][0])!.map((x) => x.cpuSeconds));
const results = modes.map(([name]) => {
  const rs = runs.get(name)!;
  const seconds = median(rs.map((x) => x.seconds));
  const cpuSeconds = median(rs.map((x) => x.cpuSeconds));
  const mismatches = rs[0].out.reduce(
    (m, row, i) =>
      m +
      Math.max(row.tokens.length, reference[i].tokens.length) -
      row.tokens.filter((t, j) => t === reference[i].tokens[j]).length,
    0
  );
  return {
    mode: name,
    seconds: round(seconds),
    cpuSeconds: round(cpuSeconds),
    steps: rs[0].steps,
    peakTensorMb: rs[0].peakTensorMb,
    tokensPerSec: Math.round(rs[0].out.reduce((s, x) => s + x.tokens.length, 0) / seconds),
    speedupOverStaticAll: round(staticSeconds / seconds),
    cpuSpeedupOverStaticAll: round(staticCpu / cpuSeconds),
    tokenMismatches: mismatches,
  };
});

console.log(
  JSON.stringify({
    area: 'rollout-tail',
    machine: machineInfo(),
    backend: backend.choice,
    preset,
    rows: reference.length,
    maxNewTokens: options.maxNewTokens,
    stopTokens: stopTokens.length,
    meanLength: round(tokens / lengths.length, 1),
    maxLength: Math.max(...lengths),
    tokens,
    reps,
    results,
  })
);
