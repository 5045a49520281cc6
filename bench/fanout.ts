/**
 * `npm run bench -- fanout [case] [steps per stage] [prompts per step] [window tokens]`: what rollout fan-out buys on
 * this machine. Cases (default: both, one after the other):
 * - `demo`: the learning tests' config (test/helpers/learning-config.ts: the demo base model, curriculum code → math,
 *   8 responses a prompt, a held-out evaluation at each stage end), 3 steps a stage, 16 prompts, a 128-token window.
 *   Its responses close their answer tag early, so a step's rollout is short and fixed costs weigh.
 * - `qwen2-6m`: the same run on a Qwen2-shaped model of 6.3 M parameters at random initialisation (it answers
 *   nothing, so nearly every response runs to the window): 2 steps a stage, 64 prompts (512 rows), 128 tokens. Sampling
 *   dominates the rollout phase; the update (one core, 128 sequences of ~200 tokens) dominates the step.
 * - `demo-run`: the whole demo, examples/demo.yaml as `npm run demo` runs it (its storage, task queues and shard count
 *   replaced); not part of the default set (it takes ~4 minutes a setup).
 * The numbers after a learning-config case override its steps, prompts and window. Each case runs on a real dev server twice: with
 * one GPU worker process and one shard, then with two GPU worker processes and two shards. Each GPU worker is pinned
 * to its own core (`taskset -a`) and runs the native backend limited to one intra-op and one inter-op thread (wasm,
 * when forced, is single-threaded anyway); main, CPU and I/O roles share one unpinned process.
 *
 * Prints JSON: per case and setup, per step the rollout, update and evaluation phase times (the step metrics'
 * `timings`, the evaluation records' `evaluationMs`), each shard's time split (`timings.rolloutShards`: dispatch,
 * policy held or downloaded + built, sampling, write), each GPU worker process's CPU time, and the whole run's wall
 * time; with the machine, its load average and its core capacity (bench/core-capacity.ts: what two pinned
 * processes get against one, the ceiling of the speed-up) before and after (other jobs' load makes every figure
 * indicative).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readJson } from '../activities/run-context.ts';
import { readExperimentFile } from '../cli/experiment-file.ts';
import { localConnectionOptions, localServerEnv } from '../cli/temporal-connection.ts';
import { startDevServer } from '../infra/temporal-dev.ts';
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import { openBlobStore } from '../storage/open.ts';
import { runKeys } from '../storage/run-layout.ts';
import { historyChain } from '../test/helpers/history-chain.ts';
import { learningExperiment } from '../test/helpers/learning-config.ts';
import { uniqueTaskQueue } from '../test/helpers/temporal.ts';
import { spawnWorker, type WorkerProcess } from '../workers/worker-process.ts';
import type { ExperimentResult } from '../workflows/experiment.ts';
import { QWEN2_6M } from './bench-models.ts';
import { coreCapacity } from './core-capacity.ts';
import { machineInfo } from './machine.ts';
import { type StepTiming, stepTimings } from './orchestration.ts';
import { ONE_THREAD } from './pinned.ts';

interface BenchCase {
  /** An experiment file run as it is but for its storage, task queues and shards (the step overrides don't apply). */
  configFile?: string;
  stepsPerStage: number;
  promptsPerStep: number;
  windowTokens: number;
  /** `model` of the config; default the learning config's (the demo base checkpoint). */
  model?: Record<string, unknown>;
  /** `grpo.gradientAccumulation`: micro-batches per update, to bound the update's memory. Default 1. */
  gradientAccumulation?: number;
}

const CASES: Record<string, BenchCase> = {
  demo: { stepsPerStage: 3, promptsPerStep: 16, windowTokens: 128 },
  // The whole demo (`npm run demo`'s examples/demo.yaml: its four stages, avg@4 evaluations of 4 × 64 prompts).
  'demo-run': { configFile: 'examples/demo.yaml', stepsPerStage: 24, promptsPerStep: 8, windowTokens: 128 },
  'qwen2-6m': {
    stepsPerStage: 2,
    // 512 rows a step: a one-thread decoding step reaches its matmuls' best rate only with many rows; at 128 rows
    // (64 a shard) halving the rows saved ~30 % of the sampling time, and at 256 the speed-up still moved 1.43–1.76×
    // between two idle runs.
    promptsPerStep: 64,
    windowTokens: 128,
    model: { shape: QWEN2_6M, tokenizer: { type: 'byte', tagTokens: true } },
    // 128 sequences of ~200 tokens in one pass need several GB of activations: 16 at a time, summed into one step.
    gradientAccumulation: 8,
  },
};

/** What `fanout` and `fanout all` run. */
const DEFAULT_CASES = ['demo', 'qwen2-6m'];

const BACKEND = process.env.OMNI_ZERO_BACKEND || 'tensorflow';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** The cases to run and their overrides, from the command line; a bad argument exits with what to type. */
function casesToRun(args: string[]): [string, BenchCase][] {
  const [which = 'all', ...numbers] = args;
  const names = which === 'all' ? DEFAULT_CASES : [which];
  const counts = numbers.map(Number);
  const fixed = names.some((n) => CASES[n]?.configFile) && counts.length > 0;
  if (
    fixed ||
    !names.every((n) => n in CASES) ||
    !counts.every((n) => Number.isInteger(n) && n >= 1) ||
    counts.length > 3
  ) {
    console.error(
      `usage: npm run bench -- fanout [${Object.keys(CASES).join('|')}|all] [steps per stage] [prompts per step] ` +
        `[window tokens]   (whole numbers ≥ 1, not for demo-run; got '${args.join(' ')}')`
    );
    process.exit(1);
  }
  const [stepsPerStage, promptsPerStep, windowTokens] = counts;
  return names.map((n) => [
    n,
    {
      ...CASES[n],
      ...(stepsPerStage ? { stepsPerStage } : {}),
      ...(promptsPerStep ? { promptsPerStep } : {}),
      ...(windowTokens ? { windowTokens } : {}),
    },
  ]);
}

/** Pins every thread of `pid` (and the threads it starts later, which inherit it) to `core`. */
function pin(pid: number, core: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}

/** CPU time (user + system, all threads) a live process has used, ms; null off Linux. */
function cpuMsOf(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return null;
  }
}

type Queues = Record<'main' | 'gpu' | 'cpu' | 'io', string>;

/** The learning tests' config with the case's model, steps, prompts and window. */
function learningConfig(bench: BenchCase, storage: string, queues: Queues): Record<string, any> {
  const config = learningExperiment({
    name: 'bench-fanout',
    storage,
    queues,
    stepsPerStage: bench.stepsPerStage,
    // An update of the bigger model on one loaded core can go quiet for longer than the tests' 30 s between beats.
    heartbeat: '2m',
  }) as Record<string, any>;
  if (bench.model) config.model = bench.model;
  if (bench.gradientAccumulation) config.grpo.gradientAccumulation = bench.gradientAccumulation;
  config.rollout.promptsPerStep = bench.promptsPerStep;
  config.window.steps[0].maxTokens = bench.windowTokens;
  return config;
}

/** An experiment file as written, its checkpoints in `storage` and its activities on this bench's queues. */
async function fileConfig(file: string, storage: string, queues: Queues): Promise<Record<string, any>> {
  const read = await readExperimentFile(file);
  if (!read.ok) throw new Error(`bench fanout: ${file}: ${read.problems.join('; ')}`);
  const config = structuredClone(read.raw) as Record<string, any>;
  config.checkpoint = { ...config.checkpoint, storage };
  config.orchestration = {
    ...config.orchestration,
    taskQueues: { workflow: queues.main, gpu: queues.gpu, cpu: queues.cpu, io: queues.io },
  };
  return config;
}

async function runWith(gpuWorkers: 1 | 2, bench: BenchCase, address: string, client: Client) {
  const queues = {
    main: uniqueTaskQueue('main'),
    gpu: uniqueTaskQueue('gpu'),
    cpu: uniqueTaskQueue('cpu'),
    io: uniqueTaskQueue('io'),
  };
  const env = { OMNI_ZERO_LOG_LEVEL: 'WARN', OMNI_ZERO_BACKEND: BACKEND, ...ONE_THREAD };
  const procs: WorkerProcess[] = [];
  const gpus: WorkerProcess[] = [];
  try {
    const spawn = (roles: ('main' | 'gpu' | 'cpu' | 'io')[]) =>
      spawnWorker({ roles, queues, address, baseEnv: localServerEnv(), env });
    procs.push(await spawn(['main', 'cpu', 'io']));
    for (let core = 0; core < gpuWorkers; core++) {
      const gpu = await spawn(['gpu']);
      procs.push(gpu);
      gpus.push(gpu);
      pin(gpu.pid, core);
    }
    const cpuBefore = gpus.map((g) => cpuMsOf(g.pid));
    const storage = `file://${await mkdtemp(path.join(os.tmpdir(), 'oz-bench-fanout-'))}`;
    const config = bench.configFile
      ? await fileConfig(bench.configFile, storage, queues)
      : learningConfig(bench, storage, queues);
    config.orchestration.rollout = { shards: gpuWorkers };
    const runId = `bench-fanout-${gpuWorkers}-${Date.now()}`;
    const t0 = Date.now();
    const result = (await client.workflow.execute('experiment', {
      args: [{ config, runId }],
      taskQueue: queues.main,
      workflowId: runId,
    })) as ExperimentResult;
    const wallMs = Date.now() - t0;
    if (result.status !== 'completed') throw new Error(`bench fanout: run ${runId} ended ${result.status}`);
    const gpuCpuMs = gpus.map((g, i) => {
      const now = cpuMsOf(g.pid);
      const before = cpuBefore[i];
      return now === null || before === null ? null : now - before;
    });
    const store = openBlobStore(result.base);
    const metrics = await Promise.all(
      Array.from({ length: result.steps }, (_, step) => readJson<StepMetrics>(store, runKeys.metrics(step)))
    );
    const evaluations = await Promise.all(
      Array.from({ length: result.steps }, (_, step) => readJson<EvalRecord>(store, runKeys.evaluation(step + 1)))
    );
    const steps: StepTiming[] = [];
    for (const st of result.plan.stages)
      for (const r of await historyChain(client, `${runId}/stage-${st.index}-${st.name}`))
        steps.push(...stepTimings(r.history.events ?? []));
    const rolloutMs = metrics.map((m) => Math.round(m?.timings.rolloutMs ?? Number.NaN));
    const evaluationMs = evaluations.flatMap((e) => (e ? [e.evaluationMs] : []));
    return {
      gpuWorkers,
      shards: gpuWorkers,
      steps: result.steps,
      wallMs,
      rolloutMs,
      rolloutMedianMs: median(rolloutMs),
      evaluationMs,
      updateMs: metrics.map((m) => m?.timings.updateMs ?? Number.NaN),
      gpuWorkerCpuMs: gpuCpuMs,
      // What Temporal costs per step on top of the activities (bench/orchestration.ts's definition).
      overheadMsPerStep: Math.round(sum(steps.map((x) => x.overheadMs)) / steps.length),
      overheadFraction: Number((sum(steps.map((x) => x.overheadMs)) / sum(steps.map((x) => x.spanMs))).toFixed(4)),
      // Each step's split, to see which step and which wait an overhead figure comes from.
      stepTimings: steps.map(({ spanMs, activityMs, scheduleToStartMs, overheadMs, plain }) => ({
        spanMs: Math.round(spanMs),
        activityMs: Math.round(activityMs),
        scheduleToStartMs: Math.round(scheduleToStartMs),
        overheadMs: Math.round(overheadMs),
        plain,
      })),
      rolloutShards: metrics.map((m) => m?.timings.rolloutShards ?? null),
    };
  } finally {
    for (const p of procs) await p.kill();
  }
}

const cases = casesToRun(process.argv.slice(3));
const loadBefore = os.loadavg();
// The ceiling of any two-worker speed-up here: what two pinned processes get against one (bench/core-capacity.ts).
const capacityBefore = await coreCapacity();
const server = await startDevServer({ uiPort: false });
const connection = await Connection.connect(localConnectionOptions(server.address));
try {
  const client = new Client({ connection });
  const results: Record<string, unknown> = {};
  for (const [name, bench] of cases) {
    const one = await runWith(1, bench, server.address, client);
    const two = await runWith(2, bench, server.address, client);
    results[name] = {
      ...bench,
      one,
      two,
      speedup: {
        rolloutMedian: one.rolloutMedianMs / two.rolloutMedianMs,
        rolloutTotal: sum(one.rolloutMs) / sum(two.rolloutMs),
        evaluation: sum(one.evaluationMs) / sum(two.evaluationMs),
        wall: one.wallMs / two.wallMs,
      },
    };
    // Each case as it ends, so a long run shows its first figures early (stdout gets them all at the end).
    console.error(JSON.stringify({ case: name, speedup: (results[name] as { speedup: unknown }).speedup }));
  }
  console.log(
    JSON.stringify(
      {
        machine: {
          ...machineInfo(),
          loadAverageBefore: loadBefore,
          loadAverageAfter: os.loadavg(),
          coreCapacity: { before: capacityBefore, after: await coreCapacity() },
        },
        backend: BACKEND,
        pinning: 'taskset: one core per GPU worker process; TF intra-op and inter-op threads 1',
        cases: results,
      },
      null,
      2
    )
  );
} finally {
  await connection.close();
  await server.stop();
}
