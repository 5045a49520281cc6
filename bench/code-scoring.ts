/**
 * `npm run bench -- code-scoring [steps]`: scoring a code step of the demo, with one sandbox run per distinct
 * program and tests in the batch (the scorer's way) against one run per response (each response scored in a batch
 * of its own). The responses are real: the demo base samples N steps (default 4) of the demo's code stage (8 prompts
 * × 8 responses, its sampling and 64-token window); both ways then score the same responses through one sandbox pool
 * of 2, alternating for 3 rounds, and must give every response the same accuracy. Prints JSON: responses, distinct
 * programs, sandbox runs and seconds per step of each way, with the machine and its load.
 */
import os from 'node:os';
import path from 'node:path';
import { readExperimentFile } from '../cli/experiment-file.ts';
import { prepareTask } from '../data/prepare.ts';
import { stepBatch } from '../data/step-batch.ts';
import { initBackend } from '../engine/backend.ts';
import { Policy } from '../engine/policy.ts';
import { ROOT } from '../infra/paths.mjs';
import { SandboxPool } from '../rewards/sandbox/index.ts';
import { type ScorerSample, scoreBatch } from '../rewards/scorer.ts';
import { parseExperimentConfig } from '../schemas/parse.ts';
import { openBlobStore } from '../storage/open.ts';
import { templateOf, tokenizerSpecOf } from '../training/policy-config.ts';
import { sampleRows } from '../training/sampling.ts';
import { responseSamples } from '../training/scoring.ts';
import { machineInfo } from './machine.ts';

const STEPS = Number(process.argv[3] ?? 4);
const ROUNDS = 3;
if (!Number.isInteger(STEPS) || STEPS < 1) {
  console.error(`usage: npm run bench -- code-scoring [steps ≥ 1] (got '${process.argv[3]}')`);
  process.exit(1);
}

/** The real pool, counting the sandboxed processes it admits. */
class CountingPool extends SandboxPool {
  runs = 0;
  override run<T>(fn: () => Promise<T>): Promise<T> {
    this.runs++;
    return super.run(fn);
  }
}

const read = await readExperimentFile(path.join(ROOT, 'examples', 'demo.yaml'));
if (!read.ok) throw new Error(read.problems.join('; '));
const parsed = parseExperimentConfig(read.raw);
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
const config = parsed.config;
await initBackend();
const policy = await Policy.load(path.join(ROOT, 'models', 'demo-base'), {
  learningRate: 1e-4,
  tokenizer: tokenizerSpecOf(config),
  seed: config.seed,
});
const { train } = await prepareTask('code', config.tasks.code, {
  seed: config.seed,
  countTokens: (x) => policy.tokenizer.encode(x).length,
  openStore: openBlobStore,
});
const r = config.rollout;
const steps: ScorerSample[][] = [];
let cursor = {};
for (let step = 0; step < STEPS; step++) {
  const batch = stepBatch({
    trainSizes: { code: train.length },
    mixture: { code: 1 },
    count: r.promptsPerStep,
    seed: config.seed,
    step,
    cursor,
  });
  cursor = batch.cursor;
  const rows = batch.picks.map((p) => train[p.row]);
  const responses = await sampleRows(policy, rows, {
    template: templateOf(config),
    sampling: { temperature: r.temperature, topP: r.topP, topK: r.topK, repetitionPenalty: r.repetitionPenalty },
    samplesPerPrompt: r.groupSize,
    maxNewTokens: 64,
    step,
  });
  steps.push(responseSamples(rows, responses, String(step)));
}

const countTokens = (t: string) => policy.tokenizer.encode(t).length;
const template = templateOf(config);
type Way = 'per-response' | 'shared';
/** Scores every step once; returns the seconds, the sandbox runs and each response's accuracy. */
async function scoreAll(way: Way) {
  const pool = new CountingPool(2);
  const options = { countTokens, template, sandbox: { pool } };
  const accuracies: (number | null)[] = [];
  const t0 = performance.now();
  for (const samples of steps) {
    const records =
      way === 'shared'
        ? (await scoreBatch(samples, options)).records
        : (await Promise.all(samples.map((s) => scoreBatch([s], options)))).map((b) => b.records[0]);
    accuracies.push(...records.map((x) => x.components.accuracy));
  }
  return { seconds: (performance.now() - t0) / 1000, runs: pool.runs, accuracies };
}

const loadBefore = os.loadavg();
const seconds: Record<Way, number[]> = { 'per-response': [], shared: [] };
const runs: Record<Way, number> = { 'per-response': 0, shared: 0 };
let reference: (number | null)[] | undefined;
for (let round = 0; round < ROUNDS; round++) {
  for (const way of (round % 2 === 0 ? ['per-response', 'shared'] : ['shared', 'per-response']) as Way[]) {
    const out = await scoreAll(way);
    reference ??= out.accuracies;
    if (JSON.stringify(out.accuracies) !== JSON.stringify(reference))
      throw new Error(`bench code-scoring: ${way} gave other accuracies than the first way in round ${round}`);
    seconds[way].push(Number((out.seconds / STEPS).toFixed(3)));
    runs[way] = out.runs;
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const responses = steps.flat().length;
console.log(
  JSON.stringify(
    {
      machine: { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
      steps: STEPS,
      responsesPerStep: responses / STEPS,
      accuracyMean: reference!.reduce<number>((a, b) => a + (b ?? 0), 0) / responses,
      sandboxRuns: runs,
      secondsPerStep: seconds,
      speedupByMedian: Number((median(seconds['per-response']) / median(seconds.shared)).toFixed(2)),
    },
    null,
    2
  )
);
