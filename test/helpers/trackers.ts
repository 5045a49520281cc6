/**
 * The trackers' real tools for tests (infra/setup.d/tracker-test-tools.mjs, installed on first use): the pinned
 * `mlflow server` on a free loopback port with a fresh SQLite backend and artifact folder in a temp directory, and
 * the venv's python, whose `tensorboard` package reads event files.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import installTrackerTestTools, {
  MLFLOW_BIN,
  TRACKER_TEST_TOOLS_DIR,
  TRACKER_TEST_TOOLS_PYTHON,
  trackerTestToolsReady,
} from '../../infra/setup.d/tracker-test-tools.mjs';
import { setupStepContext, withInstallLock } from './python.ts';

export interface MlflowServer {
  uri: string;
  stop(): Promise<void>;
}

/** A port the OS had free a moment ago. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The venv's python (with mlflow and tensorboard), installing the venv when needed. */
export async function trackerTestTools(): Promise<string> {
  if (trackerTestToolsReady()) return TRACKER_TEST_TOOLS_PYTHON;
  await withInstallLock(async () => {
    if (trackerTestToolsReady()) return;
    await installTrackerTestTools(setupStepContext('tracker-test-tools'));
  }, `${TRACKER_TEST_TOOLS_DIR}.lock`);
  return TRACKER_TEST_TOOLS_PYTHON;
}

export async function startMlflowServer(): Promise<MlflowServer> {
  await trackerTestTools();
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
