/**
 * `npm run bench -- worker-layout [steps per stage]`: what it costs to keep the GPU role in the same process as
 * workflows and scoring. Two runs at once (a sweep's concurrency), each the demo's config cut to a code stage and a
 * math stage of N steps (default 8; the demo's evaluation at each stage end), through one `omni-zero worker` started
 * as a person starts it: with `--one-process`, with the default GPU child process (workers/gpu-child.ts), and with
 * two GPU children of one thread each (`--gpu-processes 2`).
 * Each layout gets its own dev server. Prints JSON: per layout the wall time of the pair, and per run the summed
 * rollout, scoring, update and evaluation times from its step metrics, with the machine and its load.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { readJson } from '../activities/run-context.ts';
import { readExperimentFile } from '../cli/experiment-file.ts';
import { localConnectionOptions, localServerEnv } from '../cli/temporal-connection.ts';
import { ROOT } from '../infra/paths.mjs';
import { startDevServer } from '../infra/temporal-dev.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import { openBlobStore } from '../storage/open.ts';
import { runKeys } from '../storage/run-layout.ts';
import { uniqueTaskQueue } from '../test/helpers/temporal.ts';
import type { ExperimentResult } from '../workflows/experiment.ts';
import { machineInfo } from './machine.ts';

const LAYOUTS = {
  'one-process': ['--one-process'],
  'gpu-child': [],
  'two-gpu-children': ['--gpu-processes', '2'],
} as const;
const SEEDS = [7, 11];

const stepsPerStage = Number(process.argv[3] ?? 8);
if (!Number.isInteger(stepsPerStage) || stepsPerStage < 1) {
  console.error(`usage: npm run bench -- worker-layout [steps per stage ≥ 1] (got '${process.argv[3]}')`);
  process.exit(1);
}

const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0));

/** `omni-zero worker` on `queues`, resolved once it polls. */
async function startWorker(address: string, queues: Record<string, string>, flags: readonly string[]) {
  const args = [path.join(ROOT, 'bin', 'omni-zero.js'), 'worker', '--address', address, ...flags];
  for (const [role, name] of Object.entries(queues)) args.push('--task-queue', `${role}=${name}`);
  const proc: ChildProcess = spawn(process.execPath, args, {
    env: { ...localServerEnv(), OMNI_ZERO_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('worker: polling')) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`worker exited (${code}) before polling:\n${out}`)));
  });
  return proc;
}

async function pairConfigs(storage: string, queues: Record<string, string>) {
  const read = await readExperimentFile(path.join(ROOT, 'examples', 'demo.yaml'));
  if (!read.ok) throw new Error(read.problems.join('; '));
  return SEEDS.map((seed) => {
    const c = structuredClone(read.raw) as Record<string, any>;
    c.seed = seed;
    c.schedule = {
      kind: 'curriculum',
      stages: [
        { name: 'code', tasks: [{ task: 'code' }], steps: stepsPerStage, learningRate: 0.0001 },
        { name: 'math', tasks: [{ task: 'math' }], steps: stepsPerStage },
      ],
    };
    c.checkpoint = { ...c.checkpoint, storage };
    c.orchestration = {
      ...c.orchestration,
      taskQueues: { workflow: queues.main, gpu: queues.gpu, cpu: queues.cpu, io: queues.io },
    };
    return c;
  });
}

async function measure(layout: keyof typeof LAYOUTS) {
  // Its own database: the bench's runs stay out of the local stack's run list.
  const db = path.join(await mkdtemp(path.join(os.tmpdir(), 'oz-bench-layout-db-')), 'temporal.sqlite');
  const server = await startDevServer({ uiPort: false, dbFile: db });
  const connection = await Connection.connect(localConnectionOptions(server.address));
  const queues = { main: uniqueTaskQueue('main'), gpu: uniqueTaskQueue('gpu'), cpu: uniqueTaskQueue('cpu') };
  const all = { ...queues, io: uniqueTaskQueue('io') };
  const worker = await startWorker(server.address, all, LAYOUTS[layout]);
  try {
    const client = new Client({ connection });
    const storage = `file://${await mkdtemp(path.join(os.tmpdir(), 'oz-bench-layout-'))}`;
    const t0 = Date.now();
    const results = await Promise.all(
      (await pairConfigs(storage, all)).map(async (config, i) => {
        const runId = `bench-layout-${layout}-${SEEDS[i]}-${Date.now()}`;
        const result = (await client.workflow.execute('experiment', {
          args: [{ config, runId }],
          taskQueue: all.main,
          workflowId: runId,
        })) as ExperimentResult;
        if (result.status !== 'completed') throw new Error(`bench worker-layout: ${runId} ended ${result.status}`);
        const store = openBlobStore(result.base);
        const metrics = (
          await Promise.all(
            Array.from({ length: result.steps }, (_, s) => readJson<StepMetrics>(store, runKeys.metrics(s)))
          )
        ).filter((m): m is StepMetrics => m !== null);
        const t = metrics.map((m) => m.timings);
        return {
          seed: SEEDS[i],
          steps: result.steps,
          rolloutMs: sum(t.map((x) => x.rolloutMs)),
          scoringMs: sum(t.map((x) => x.scoringMs)),
          updateMs: sum(t.map((x) => x.updateMs)),
          evaluationMs: sum(t.map((x) => x.evaluationMs ?? 0)),
        };
      })
    );
    return { layout, pairWallMs: Date.now() - t0, runs: results };
  } finally {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
    await connection.close();
    await server.stop();
  }
}

const loadBefore = os.loadavg();
const layouts: Awaited<ReturnType<typeof measure>>[] = [];
for (const layout of Object.keys(LAYOUTS) as (keyof typeof LAYOUTS)[]) {
  layouts.push(await measure(layout));
  console.error(JSON.stringify(layouts.at(-1)));
}
const [one, child, two] = layouts;
const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
const scoring = (l: (typeof layouts)[number]) => sum(l.runs.map((r) => r.scoringMs));
console.log(
  JSON.stringify(
    {
      machine: { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
      stepsPerStage,
      seeds: SEEDS,
      layouts,
      oneProcessOverChild: {
        pairWall: ratio(one.pairWallMs, child.pairWallMs),
        scoring: ratio(scoring(one), scoring(child)),
      },
      childOverTwoChildren: {
        pairWall: ratio(child.pairWallMs, two.pairWallMs),
        scoring: ratio(scoring(child), scoring(two)),
      },
    },
    null,
    2
  )
);
