/**
 * Seeing a run: a real worker process (`omni-zero worker --metrics-port --runtime-metrics-port`) runs a tiny
 * experiment; `omni-zero watch` prints an update for every step, `omni-zero ls` lists the run, a plain HTTP scrape
 * of the worker returns the step metrics with the run's labels, the SDK's runtime endpoint answers, and the worker's
 * log has one structured line per step carrying the experiment and run ids.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../infra/paths.mjs';
import { type TemporalTestEnv, temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import type { RunningWorkers } from '../helpers/workers.ts';

const exec = promisify(execFile);
const BIN = path.join(ROOT, 'bin', 'omni-zero.js');

let env: TemporalTestEnv;
let worker: ChildProcess;
let workerOut = '';
let metricsPort: number;
let runtimePort: number;
const queues = {
  main: uniqueTaskQueue('obs-main'),
  gpu: uniqueTaskQueue('obs-gpu'),
  cpu: uniqueTaskQueue('obs-cpu'),
  io: uniqueTaskQueue('obs-io'),
};

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; worker output:\n${workerOut.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  env = await temporalTestEnv();
  metricsPort = await freePort();
  runtimePort = await freePort();
  worker = spawn(
    process.execPath,
    [
      BIN,
      'worker',
      '--queue',
      'all',
      '--address',
      env.address,
      ...Object.entries(queues).flatMap(([r, q]) => ['--task-queue', `${r}=${q}`]),
      '--metrics-port',
      String(metricsPort),
      '--runtime-metrics-port',
      String(runtimePort),
    ],
    { cwd: ROOT, env: { ...process.env, OMNI_ZERO_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  worker.stdout!.on('data', (b: Buffer) => (workerOut += b.toString()));
  worker.stderr!.on('data', (b: Buffer) => (workerOut += b.toString()));
  await until('the worker to poll', async () => (workerOut.includes('worker: polling') ? true : undefined));
});
after(async () => {
  if (worker.exitCode === null) {
    const exited = new Promise((r) => worker.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await env.teardown();
});

const cli = (...args: string[]) =>
  exec(process.execPath, [BIN, ...args, '--address', env.address], { encoding: 'utf8', cwd: ROOT });

test('watch prints every step, ls lists the run, the worker serves step metrics and runtime metrics, logs carry the ids', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-obs-'));
  const name = `obs-${Date.now().toString(36)}`;
  const runId = `${name}-run`;
  const config = tinyExperiment({
    name,
    storage: `file://${dir}/runs`,
    workers: { queues } as RunningWorkers,
    stepsPerStage: 3,
  });
  await env.client.workflow.start('experiment', {
    args: [{ config, runId }],
    taskQueue: queues.main,
    workflowId: runId,
  });

  const watching = cli('watch', runId, '--interval', '0.1');

  // While it runs: the worker's endpoint has the run's step metrics, and ls shows it.
  const scrape = await until('step metrics of the run', async () => {
    const body = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    return body.includes(`run="${runId}"`) && /omni_zero_task_reward\{/.test(body) ? body : undefined;
  });
  const labels = `experiment="${name}",run="${runId}",stage="code"`;
  assert.match(scrape, new RegExp(`omni_zero_step\\{${labels}\\} \\d`));
  assert.match(scrape, new RegExp(`omni_zero_loss\\{${labels}\\} -?[\\d.e-]+`));
  assert.match(scrape, new RegExp(`omni_zero_window_tokens\\{${labels}\\} 1[26]`));
  assert.match(scrape, new RegExp(`omni_zero_task_reward\\{${labels},task="code"\\} `));
  assert.match(
    scrape,
    new RegExp(
      `omni_zero_phase_seconds_count\\{experiment="${name}",run="${runId}",phase="rollout",outcome="ok"\\} [1-9]`
    )
  );
  // Rollout ran in the GPU child process (workers/gpu-child.ts): its timings reached this endpoint over IPC.
  assert.match(workerOut, /the GPU role in process \d+/);
  const runtime = await (await fetch(`http://127.0.0.1:${runtimePort}/metrics`)).text();
  assert.match(runtime, /^temporal_\w+/m, 'the SDK runtime endpoint serves temporal_* metrics');

  const { stdout: lsOut } = await cli('ls', '--experiment', name, '--json');
  const rows = JSON.parse(lsOut) as { run: string; experiment: string; totalSteps: number }[];
  assert.deepEqual(
    rows.map((r) => [r.run, r.experiment, r.totalSteps]),
    [[runId, name, 6]]
  );

  const { stdout: watched } = await watching;
  const lines = watched.trim().split('\n');
  const steps = new Set(lines.flatMap((l) => [...l.matchAll(/step (\d+)\/6 /g)].map((m) => Number(m[1]))));
  // 6 steps: a line for each of them (1…6 completed), none skipped, and the final state.
  for (let s = 1; s <= 6; s++) assert.ok(steps.has(s), `no watch line for step ${s}:\n${watched}`);
  assert.match(lines.at(-1)!, new RegExp(`^${runId} ended: completed`));
  assert.ok(!watched.includes('\u001b['), 'no ANSI when stdout is not a TTY');

  const { stdout: table } = await cli('ls', '--experiment', name);
  assert.match(table, /^RUN\s+EXPERIMENT\s+STATUS\s+STAGE\s+STEP\s+REWARD\s+STARTED$/m);
  assert.match(table, new RegExp(`^${runId}\\s+${name}\\s+completed\\s+math\\s+6/6\\s`, 'm'));

  const { stdout: status } = await cli('status', runId);
  const st = JSON.parse(status);
  assert.equal(st.workflowStatus, 'COMPLETED');
  assert.equal(st.progress.step, 6);
  assert.equal(st.searchAttributes.OmniRun, runId);

  // One structured info line per step from the update activity, with the run's ids.
  const stepLines = workerOut
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === 'step' && l.run === runId);
  assert.deepEqual(
    stepLines.map((l) => [l.step, l.experiment, l.level]),
    [0, 1, 2, 3, 4, 5].map((s) => [s, name, 30])
  );
  assert.equal(typeof stepLines[0].loss, 'number');
  // SDK lines from the run's workflows and activities carry the ids too (log interceptors), without the task token.
  const planned = workerOut.split('\n').find((l) => l.includes('"msg":"experiment planned"') && l.includes(runId));
  assert.match(planned ?? '', new RegExp(`"experiment":"${name}","run":"${runId}"`));
  const evaluated = workerOut.split('\n').find((l) => l.includes('"msg":"evaluated"') && l.includes(runId));
  assert.match(evaluated ?? '', new RegExp(`"experiment":"${name}"`));
  assert.doesNotMatch(evaluated ?? '', /taskToken/);
});
