/**
 * A real MLflow tracking server for tests: the pinned `mlflow server` (infra/setup.d/mlflow.mjs, installed on first
 * use) on a free loopback port, with a fresh SQLite backend and artifact folder in a temp directory.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import installMlflow, { MLFLOW_BIN, MLFLOW_DIR, mlflowReady } from '../../infra/setup.d/mlflow.mjs';
import { withInstallLock } from './python.ts';

export interface MlflowServer {
  uri: string;
  stop(): Promise<void>;
}

/** A port the OS had free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function ensureInstalled(): Promise<void> {
  if (mlflowReady()) return;
  await withInstallLock(async () => {
    if (mlflowReady()) return;
    await installMlflow({
      log: (m: string) => process.stderr.write(`[mlflow] ${m}\n`),
      run: (cmd: string, args: string[]) => {
        const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
        if (r.status !== 0) throw new Error(`'${cmd} ${args.join(' ')}' failed (exit ${r.status})`);
      },
    });
  }, `${MLFLOW_DIR}.lock`);
}

export async function startMlflowServer(): Promise<MlflowServer> {
  await ensureInstalled();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-mlflow-'));
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    MLFLOW_BIN,
    [
      'server',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
      '--backend-store-uri',
      `sqlite:///${path.join(dir, 'mlflow.db')}`,
      '--artifacts-destination',
      path.join(dir, 'artifacts'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true }
  );
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const stop = async () => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGTERM');
    await rm(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mlflow server exited (${child.exitCode}):\n${output.slice(-2000)}`);
    const ok = await fetch(`${uri}/health`).then(
      (r) => r.ok,
      () => false
    );
    if (ok) return { uri, stop };
    if (Date.now() > until) {
      await stop();
      throw new Error(`mlflow server did not answer on ${uri} within 120 s:\n${output.slice(-2000)}`);
    }
    await sleep(250);
  }
}
