/**
 * Real worker processes for the crash tests: `node bin/omni-zero.js worker` with the test's task queues, Temporal
 * address and S3 environment, so a kill is a real `kill -9` of a process and a restart is a new process.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { localServerEnv } from '../../cli/temporal-connection.ts';
import { ROOT } from '../../infra/paths.mjs';
import {
  spawnWorker as spawnWorkerProcess,
  type WorkerProcess,
  type WorkerProcessOptions,
} from '../../workers/worker-process.ts';

export type { WorkerProcess, WorkerProcessOptions };

export function spawnWorker(o: WorkerProcessOptions): Promise<WorkerProcess> {
  return spawnWorkerProcess({ baseEnv: localServerEnv(), ...o, env: { OMNI_ZERO_LOG_LEVEL: 'WARN', ...o.env } });
}

/** A main/cpu/io worker process and a gpu one on `queues`, also pushed to `started` for the test to kill at its end. */
export async function spawnRunWorkers(
  address: string,
  queues: WorkerProcessOptions['queues'],
  started: WorkerProcess[]
): Promise<WorkerProcess[]> {
  const pair = await Promise.all([
    spawnWorker({ roles: ['main', 'cpu', 'io'], queues, address }),
    spawnWorker({ roles: ['gpu'], queues, address }),
  ]);
  started.push(...pair);
  return pair;
}

/**
 * A replacement GPU worker that resumes badly (broken-gpu-worker.ts), for the crash test's negative controls; ready
 * when it polls. Killed by the caller (`kill()`), like the real ones.
 */
export async function spawnBrokenGpuWorker(o: {
  breakage: 'reload-base' | 'drop-adam';
  queue: string;
  address: string;
  env?: Record<string, string>;
}): Promise<{ pid: number; output(): string; kill(): Promise<void> }> {
  const entry = path.join(import.meta.dirname, 'broken-gpu-worker.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry, o.breakage, o.address, o.queue], {
    cwd: ROOT,
    env: { ...process.env, OMNI_ZERO_LOG_LEVEL: 'WARN', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString('utf8');
      if (out.includes('worker: polling')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`broken GPU worker exited before polling:\n${out}`)));
  });
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`broken GPU worker not polling after 180 s:\n${out}`)), 180_000);
  });
  try {
    await Promise.race([ready, late]);
  } catch (err) {
    await kill();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { pid: child.pid!, output: () => out, kill };
}
