/**
 * `omni-zero worker` with every role, as a person starts it: the GPU role runs in a child process (its compute would
 * hold up workflow tasks and scoring in a shared one), started again when it dies, gone when its parent goes, by
 * SIGTERM or kill -9. The run through such a worker (metrics from both processes on one endpoint) is in
 * observability-cli.test.ts.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../infra/paths.mjs';
import { type TemporalTestEnv, temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.ts';

const BIN = path.join(ROOT, 'bin', 'omni-zero.js');
let env: TemporalTestEnv;
const started: ChildProcess[] = [];

before(async () => {
  env = await temporalTestEnv();
});
after(async () => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  await env.teardown();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, f: () => boolean, out: () => string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}; output:\n${out().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `omni-zero worker` with the default `--queue all`, on this test's own queues; resolves once it polls. */
async function startWorker(extra: string[] = []) {
  const q = uniqueTaskQueue('gpu-child');
  const queues = { main: q, gpu: `${q}-gpu`, cpu: `${q}-cpu`, io: `${q}-io` };
  const proc = spawn(
    process.execPath,
    [
      BIN,
      'worker',
      '--address',
      env.address,
      ...Object.entries(queues).flatMap(([r, n]) => ['--task-queue', `${r}=${n}`]),
      ...extra,
    ],
    { cwd: ROOT, env: { ...process.env, OMNI_ZERO_LOG_LEVEL: 'WARN' }, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  started.push(proc);
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const output = () => out;
  await until('the worker to poll', () => out.includes('worker: polling'), output, 180_000);
  const pids = () =>
    [...out.matchAll(/the GPU role (?:now )?in process ([\d, ]+)/g)].flatMap((m) => m[1].split(', ').map(Number));
  return { proc, queues, output, pids };
}

test('the GPU role polls from a child process, which is started again when it dies and goes with its parent', {
  timeout: 300_000,
}, async () => {
  const w = await startWorker();
  const polling = w
    .output()
    .split('\n')
    .find((l) => l.startsWith('worker: polling'))!;
  assert.ok(!polling.includes(w.queues.gpu), `the parent itself does not poll the GPU queue: ${polling}`);
  assert.ok(polling.includes(w.queues.cpu) && polling.includes(w.queues.main), polling);
  const [first] = w.pids();
  assert.ok(first && first !== w.proc.pid && alive(first), `a live child pid in: ${polling}`);
  const cmdline = readFileSync(`/proc/${first}/cmdline`, 'utf8').split('\0');
  assert.deepEqual(cmdline.slice(cmdline.indexOf('--queue'), cmdline.indexOf('--queue') + 2), ['--queue', 'gpu']);
  assert.ok(cmdline.includes(`gpu=${w.queues.gpu}`), cmdline.join(' '));

  process.kill(first, 'SIGKILL');
  await until('a second GPU child', () => w.pids().length === 2, w.output, 180_000);
  const second = w.pids()[1];
  assert.ok(second !== first && alive(second));
  assert.match(w.output(), new RegExp(`GPU worker process ${first} exited \\(SIGKILL\\); starting another`));
  assert.equal(w.proc.exitCode, null, 'the parent keeps running');

  w.proc.kill('SIGKILL');
  await until('the child to go with its parent', () => !alive(second), w.output, 60_000);
});

test('SIGTERM stops parent and child cleanly; --one-process keeps every role in one process', {
  timeout: 300_000,
}, async () => {
  const w = await startWorker();
  const [child] = w.pids();
  const exited = new Promise<number | null>((r) => w.proc.once('exit', (code) => r(code)));
  w.proc.kill('SIGTERM');
  assert.equal(await exited, 0, w.output());
  assert.ok(!alive(child), 'the child has exited too');

  const one = await startWorker(['--one-process']);
  assert.deepEqual(one.pids(), []);
  assert.ok(one.output().includes(one.queues.gpu), 'the GPU queue is polled by the one process');
  one.proc.kill('SIGTERM');
});

test('--gpu-processes 2: two GPU children with cores ÷ 2 threads each; without another role here it is refused', {
  timeout: 300_000,
}, async () => {
  const w = await startWorker(['--gpu-processes', '2']);
  const pids = w.pids();
  assert.equal(pids.length, 2, w.output());
  const threads = String(Math.max(1, Math.floor(os.availableParallelism() / 2)));
  for (const pid of pids) {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.equal(cmdline[cmdline.indexOf('--threads') + 1], threads, cmdline.join(' '));
  }
  const exited = new Promise<number | null>((r) => w.proc.once('exit', (code) => r(code)));
  w.proc.kill('SIGTERM');
  assert.equal(await exited, 0);
  for (const pid of pids) assert.ok(!alive(pid));

  const refused = await promisify(execFile)(
    process.execPath,
    [BIN, 'worker', '--queue', 'gpu', '--gpu-processes', '2', '--address', env.address],
    { cwd: ROOT }
  ).then(
    () => assert.fail('expected exit 1'),
    (e: { code: number; stderr: string }) => e
  );
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /--gpu-processes needs the GPU role and another role.*omni-zero worker --queue gpu/s);
});
