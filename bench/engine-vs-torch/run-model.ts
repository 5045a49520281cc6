/**
 * One model of `npm run bench -- engine-vs-torch`, in a process of its own so its peak RSS is this model's: writes the
 * checkpoint, starts the PyTorch worker (torch_side.py) on it, checks the logits agree, then alternates engine and
 * PyTorch repetitions of sampling and of one update step. Prints one JSON object.
 *
 * Usage: run-model.ts <demo|qwen2-40m> <python> <repetitions>
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../../engine/checkpoint/checkpoint.ts';
import { parameterCount } from '../../engine/model/config.ts';
import { initParams } from '../../engine/model/init.ts';
import { forward, lmHead } from '../../engine/model/transformer.ts';
import { generate } from '../../engine/sampler.ts';
import { ByteTokenizer } from '../../engine/tokenizer/byte.ts';
import { Adam } from '../../engine/train/adam.ts';
import { toTokenBatch } from '../../engine/train/batch.ts';
import { type GrpoSample, grpoUpdate } from '../../engine/train/grpo.ts';
import { scoreTokensNoGrad } from '../../engine/train/logprobs.ts';
import type { ModelConfig, Params, Tokenizer } from '../../engine/types.ts';
import { mulberry32 } from '../../rl/random.ts';
import { wideVocabulary } from '../wide-vocab.ts';
import { BENCH_MODELS, type BenchModel, SAMPLING } from './models.ts';

const [modelName, python, repsArg] = process.argv.slice(2);
// A failed check (logits that differ, a PyTorch error) is one line for the dispatcher to pass on, not a stack trace.
process.on('uncaughtException', (e) => {
  console.error(`engine-vs-torch ${modelName}: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
const spec: BenchModel | undefined = BENCH_MODELS[modelName as keyof typeof BENCH_MODELS];
if (!spec || !python || !(Number(repsArg) >= 1)) {
  console.error(`usage: run-model.ts <${Object.keys(BENCH_MODELS).join('|')}> <python> <repetitions>`);
  process.exit(1);
}
const reps = Number(repsArg);
const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..', '..');
const LEARNING_RATE = 1e-4;
/** Largest difference between the two sides' logits that still counts as the same model. */
const LOGITS_TOLERANCE = 1e-4;

const backend = await initBackend();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-engine-vs-torch-'));

/** The model's weights on both sides come from this directory. */
async function checkpointDir(): Promise<{ dir: string; params: Params; config: ModelConfig; tokenizer: Tokenizer }> {
  if (spec!.checkpoint) {
    const dir = path.join(ROOT, spec!.checkpoint);
    const ck = await loadCheckpoint(dir, { optimizer: false });
    if (!ck.tokenizer) throw new Error(`${dir} has no tokenizer`);
    return { dir, params: ck.params, config: ck.config, tokenizer: ck.tokenizer };
  }
  const config = spec!.config!;
  const bytes = new ByteTokenizer();
  const tokenizer = wideVocabulary(bytes, config.vocabSize);
  const params = initParams(config, 0);
  const dir = path.join(tmp, 'model');
  await saveCheckpoint(dir, {
    params,
    metadata: { step: 0, seed: 0, configHash: 'bench', tokenizer: bytes.id, model: config },
  });
  return { dir, params, config, tokenizer };
}

/** The PyTorch worker: one JSON command per line in, one JSON reply per line out. */
function startTorch() {
  // PyTorch's OpenMP threads spin at every barrier by default: with other jobs on the cores a decoding step then waits
  // for a descheduled spinner (10-20x slower here under load). Passive waiting is the fair setting for a shared machine.
  const env = {
    ...process.env,
    OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE',
    HF_HUB_DISABLE_PROGRESS_BARS: '1',
    TRANSFORMERS_VERBOSITY: 'error',
  };
  const child = spawn(python, [path.join(here, 'torch_side.py')], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    pid: child.pid,
    async call(cmd: Record<string, unknown>): Promise<Record<string, any>> {
      child.stdin.write(`${JSON.stringify(cmd)}\n`);
      const next = await lines.next();
      if (next.done) throw new Error(`the PyTorch worker exited (code ${child.exitCode}) during '${cmd.cmd}'`);
      const reply = JSON.parse(next.value);
      if (reply.error) throw new Error(`PyTorch '${cmd.cmd}': ${reply.error}`);
      return reply;
    },
    stop: () => child.stdin.end(),
  };
}

const { dir, params, config, tokenizer } = await checkpointDir();
const torch = startTorch();
const loaded = await torch.call({
  cmd: 'load',
  dir,
  threads: os.availableParallelism(),
  padId: tokenizer.padId,
  learningRate: LEARNING_RATE,
});

// 1. Same weights, same logits: a few rows of fixed ids through both.
const random = mulberry32(spec.seed);
const randomIds = (n: number) =>
  Array.from({ length: n }, () => 3 + Math.floor(random() * (Math.min(config.vocabSize, 256) - 3)));
const probe = [randomIds(16), randomIds(16)];
const engineLogits = tf.tidy(() => lmHead(params, config, forward(params, config, { ids: probe }).hidden));
const ours = engineLogits.dataSync() as Float32Array;
engineLogits.dispose();
const logitsFile = path.join(tmp, 'logits.f32');
await torch.call({ cmd: 'logits', ids: probe, out: logitsFile });
const theirs = new Float32Array(readFileSync(logitsFile).buffer.slice(0));
if (theirs.length !== ours.length) throw new Error(`logits: ${ours.length} values here, ${theirs.length} in PyTorch`);
let maxAbsDiff = 0;
for (let i = 0; i < ours.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(ours[i] - theirs[i]));
if (!(maxAbsDiff <= LOGITS_TOLERANCE)) {
  throw new Error(`logits differ by up to ${maxAbsDiff} (> ${LOGITS_TOLERANCE}): the two sides run different models`);
}

// 2. Inputs: prompts for sampling, fixed-length sequences for the update with the engine's own old log-probs.
const prompts = Array.from({ length: spec.prompts }, (_, i) => [tokenizer.bosId ?? 1, ...randomIds(6 + (i % 5))]);
const sampleOptions = {
  ...SAMPLING,
  samplesPerPrompt: spec.samplesPerPrompt,
  maxNewTokens: spec.newTokens,
};
const updateSamples: GrpoSample[] = Array.from({ length: spec.updateRows }, (_, i) => {
  const prompt = [tokenizer.bosId ?? 1, ...randomIds(9)];
  return { prompt, response: randomIds(spec.updateLength - prompt.length), advantage: i % 2 === 0 ? 1 : -1 };
});
const batch = toTokenBatch(updateSamples, tokenizer.padId);
const old = scoreTokensNoGrad(params, config, batch, { temperature: SAMPLING.temperature }).logprobs;
updateSamples.forEach((s, i) => {
  s.oldLogprobs = old[i].slice(s.prompt.length);
});
const optimizer = new Adam(params, { learningRate: LEARNING_RATE });

/** One repetition's throughput: tokens per wall second and per CPU second of the side's process (all threads). */
interface Rate {
  wall: number;
  cpu: number;
}
async function engineTimed(tokens: number, work: () => Promise<unknown> | unknown): Promise<Rate> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  await work();
  const used = process.cpuUsage(cpu);
  return { wall: tokens / ((performance.now() - start) / 1000), cpu: tokens / ((used.user + used.system) / 1e6) };
}
const sampledTokens = spec.prompts * spec.samplesPerPrompt * spec.newTokens;
const engineSample = (seed: number) =>
  engineTimed(sampledTokens, () => generate(params, config, tokenizer, prompts, { ...sampleOptions, seed, eosId: -1 }));
async function torchSample(seed: number): Promise<Rate> {
  const r = await torch.call({ cmd: 'sample', prompts, seed, ...sampleOptions });
  if (r.rows * r.newTokens !== sampledTokens) throw new Error(`PyTorch sampled ${r.rows} × ${r.newTokens} tokens`);
  return { wall: sampledTokens / r.seconds, cpu: sampledTokens / r.cpuSeconds };
}
const updateTokens = spec.updateRows * spec.updateLength;
const engineUpdate = () =>
  engineTimed(updateTokens, () =>
    grpoUpdate(params, config, optimizer, updateSamples, { temperature: SAMPLING.temperature, padId: tokenizer.padId })
  );
async function torchUpdate(): Promise<Rate> {
  const r = await torch.call({
    cmd: 'update',
    ids: batch.ids,
    mask: batch.mask,
    old,
    advantages: updateSamples.map((s) => s.advantage),
    temperature: SAMPLING.temperature,
  });
  return { wall: updateTokens / r.seconds, cpu: updateTokens / r.cpuSeconds };
}

// 3. Warm-up, then repetitions alternating which side goes first, so a load change falls on both alike.
await generate(params, config, tokenizer, prompts.slice(0, 1), { ...sampleOptions, maxNewTokens: 4, eosId: -1 });
await torch.call({ cmd: 'sample', prompts: prompts.slice(0, 1), seed: 0, ...sampleOptions, maxNewTokens: 4 });
await engineUpdate();
await torchUpdate();
const runs = {
  engineSample: [] as Rate[],
  torchSample: [] as Rate[],
  engineUpdate: [] as Rate[],
  torchUpdate: [] as Rate[],
};
const loadBefore = os.loadavg();
for (let r = 0; r < reps; r++) {
  const first = <T>(pair: T[]) => (r % 2 === 0 ? pair : pair.reverse());
  for (const side of first([
    async () => runs.engineSample.push(await engineSample(r + 1)),
    async () => runs.torchSample.push(await torchSample(r + 1)),
  ]))
    await side();
  for (const side of first([
    async () => runs.engineUpdate.push(await engineUpdate()),
    async () => runs.torchUpdate.push(await torchUpdate()),
  ]))
    await side();
}
const loadAfter = os.loadavg();
const torchRss = await torch.call({ cmd: 'rss' });
torch.stop();
rmSync(tmp, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
/** Medians of both sides and their ratio (engine ÷ PyTorch, > 1 = the engine is faster), by wall and by CPU time. */
function compare(engine: Rate[], theirs: Rate[]) {
  const side = (xs: Rate[]) => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
  const e = side(engine);
  const t = side(theirs);
  return {
    engine: { wall: Math.round(e.wall), cpu: Math.round(e.cpu) },
    torch: { wall: Math.round(t.wall), cpu: Math.round(t.cpu) },
    ratio: { wall: round(e.wall / t.wall), cpu: round(e.cpu / t.cpu) },
  };
}
const engineRss = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(
  JSON.stringify({
    model: modelName,
    params: parameterCount(config),
    backend: backend.choice,
    torch: loaded.torch,
    torchThreads: loaded.threads,
    torchOmpWaitPolicy: process.env.OMP_WAIT_POLICY ?? 'PASSIVE',
    logitsMaxAbsDiff: maxAbsDiff,
    sampling: { rows: spec.prompts * spec.samplesPerPrompt, newTokens: spec.newTokens, ...SAMPLING },
    update: { rows: spec.updateRows, tokensPerRow: spec.updateLength },
    repetitions: reps,
    loadAverage1m: { before: round(loadBefore[0]), after: round(loadAfter[0]) },
    sampleTokensPerSec: compare(runs.engineSample, runs.torchSample),
    updateTokensPerSec: compare(runs.engineUpdate, runs.torchUpdate),
    wallTokensPerSecRuns: Object.fromEntries(
      Object.entries(runs).map(([k, xs]) => [k, xs.map((x) => Math.round(x.wall))])
    ),
    peakRssMb: { engine: engineRss, torch: torchRss.peakRssMb, ratio: round(engineRss / torchRss.peakRssMb) },
  })
);
