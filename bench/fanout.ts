/**
 * `npm run bench -- fanout [steps per stage] [prompts per step] [window tokens]`: what rollout fan-out buys on this
 * machine. The learning tests' config (test/helpers/learning-config.ts: demo base model, curriculum code → math,
 * 8 prompts × 8 responses a step and a 48-token window by default, a held-out evaluation at each stage end) runs on a real dev server twice: with one GPU worker process and one shard,
 * then with two GPU worker processes and two shards. Each GPU worker is pinned to its own core (`taskset`) and runs
 * the native backend limited to one intra-op and one inter-op thread (wasm, when forced, is single-threaded anyway);
 * main, CPU and I/O roles share one unpinned process. Prints JSON: per setup, the rollout and evaluation phase times
 * per step (the step metrics' `timings`, the evaluation records' `evaluationMs`) and the whole run's wall time, with
 * the machine and its load average before and after (other jobs' load makes every figure indicative).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readJson } from '../activities/run-context.ts';
import { localConnectionOptions, localServerEnv } from '../cli/temporal-connection.ts';
import { startDevServer } from '../infra/temporal-dev.ts';
import type { EvalRecord } from '../schemas/records/eval-record.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import { openBlobStore } from '../storage/open.ts';
import { runKeys } from '../storage/run-layout.ts';
import { learningExperiment } from '../test/helpers/learning-config.ts';
import { uniqueTaskQueue } from '../test/helpers/temporal.ts';
import { spawnWorker, type WorkerProcess } from '../workers/worker-process.ts';
import type { ExperimentResult } from '../workflows/experiment.ts';
import { machineInfo } from './machine.ts';

const STEPS_PER_STAGE = Number(process.argv[3] ?? 3);
const PROMPTS_PER_STEP = Number(process.argv[4] ?? 8);
const WINDOW_TOKENS = Number(process.argv[5] ?? 48);
const BACKEND = process.env.OMNI_ZERO_BACKEND || 'tensorflow';
/** One core's worth of threads for the native backend (TensorFlow reads these at its first op). */
const ONE_THREAD = { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Pins every thread of `pid` (and the threads it starts later, which inherit it) to `core`. */
function pin(pid: number, core: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}

async function runWith(gpuWorkers: 1 | 2, address: string, client: Client) {
  const queues = {
    main: uniqueTaskQueue('main'),
    gpu: uniqueTaskQueue('gpu'),
    cpu: uniqueTaskQueue('cpu'),
    io: uniqueTaskQueue('io'),
  };
  const env = { OMNI_ZERO_LOG_LEVEL: 'WARN', OMNI_ZERO_BACKEND: BACKEND, ...ONE_THREAD };
  const procs: WorkerProcess[] = [];
  try {
    const spawn = (roles: ('main' | 'gpu' | 'cpu' | 'io')[]) =>
      spawnWorker({ roles, queues, address, baseEnv: localServerEnv(), env });
    procs.push(await spawn(['main', 'cpu', 'io']));
    for (let core = 0; core < gpuWorkers; core++) {
      const gpu = await spawn(['gpu']);
      procs.push(gpu);
      pin(gpu.pid, core);
    }
    const storage = `file://${await mkdtemp(path.join(os.tmpdir(), 'oz-bench-fanout-'))}`;
    const config = learningExperiment({ name: 'bench-fanout', storage, queues, stepsPerStage: STEPS_PER_STAGE });
    const c = config as Record<string, any>;
    c.rollout.promptsPerStep = PROMPTS_PER_STEP;
    c.window.steps[0].maxTokens = WINDOW_TOKENS;
    c.orchestration.rollout = { shards: gpuWorkers };
    const runId = `bench-fanout-${gpuWorkers}-${Date.now()}`;
    const t0 = Date.now();
    const result = (await client.workflow.execute('experiment', {
      args: [{ config, runId }],
      taskQueue: queues.main,
      workflowId: runId,
    })) as ExperimentResult;
    const wallMs = Date.now() - t0;
    if (result.status !== 'completed') throw new Error(`bench fanout: run ${runId} ended ${result.status}`);
    const store = openBlobStore(result.base);
    const metrics = await Promise.all(
      Array.from({ length: result.steps }, (_, step) => readJson<StepMetrics>(store, runKeys.metrics(step)))
    );
    const evaluations = await Promise.all(
      Array.from({ length: result.steps }, (_, step) => readJson<EvalRecord>(store, runKeys.evaluation(step + 1)))
    );
    const rolloutMs = metrics.map((m) => m?.timings.rolloutMs ?? Number.NaN);
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
      rolloutShards: metrics.map((m) => m?.timings.rolloutShards ?? null),
    };
  } finally {
    for (const p of procs) await p.kill();
  }
}

const loadBefore = os.loadavg();
const server = await startDevServer({ uiPort: false });
const connection = await Connection.connect(localConnectionOptions(server.address));
try {
  const client = new Client({ connection });
  const one = await runWith(1, server.address, client);
  const two = await runWith(2, server.address, client);
  console.log(
    JSON.stringify(
      {
        machine: { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
        backend: BACKEND,
        pinning: 'taskset: one core per GPU worker process; TF intra-op and inter-op threads 1',
        stepsPerStage: STEPS_PER_STAGE,
        promptsPerStep: PROMPTS_PER_STEP,
        windowTokens: WINDOW_TOKENS,
        one,
        two,
        speedup: {
          rolloutMedian: one.rolloutMedianMs / two.rolloutMedianMs,
          evaluation: one.evaluationMs.reduce((a, b) => a + b, 0) / two.evaluationMs.reduce((a, b) => a + b, 0),
          wall: one.wallMs / two.wallMs,
        },
      },
      null,
      2
    )
  );
} finally {
  await connection.close();
  await server.stop();
}
