/**
 * Starts and stops the real S3-compatible server (MinIO, built by infra/setup.d/s3-server.mjs) on loopback with its
 * data under a given folder. Used by the test runner, the demo and the tests that stop it mid-run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MINIO_BIN, SETUP_COMMAND } from './paths.mjs';
import { freePort, stopProcess } from './temporal-dev.ts';

export { MINIO_BIN };

export interface S3ServerOptions {
  dataDir: string;
  port?: number;
  /** Access key / secret of the local server; not secrets worth the name — it listens on loopback only. */
  accessKey?: string;
  secretKey?: string;
  detached?: boolean;
  readyTimeoutMs?: number;
}

export interface S3Server {
  endpoint: string;
  port: number;
  pid: number;
  dataDir: string;
  /** Environment for clients (the AWS SDK default chain + our endpoint variables). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Server(opts: S3ServerOptions): Promise<S3Server> {
  if (!existsSync(MINIO_BIN)) throw new Error(`S3 server binary missing at ${MINIO_BIN}: run '${SETUP_COMMAND}'`);
  mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const consolePort = await freePort();
  const accessKey = opts.accessKey ?? 'omnizero';
  const secretKey = opts.secretKey ?? 'omnizero-local-secret';
  const out = createWriteStream(path.join(opts.dataDir, '..', `minio-${port}.log`), { flags: 'a' });
  await new Promise((r) => out.once('open', r));
  const child: ChildProcess = spawn(
    MINIO_BIN,
    [
      'server',
      opts.dataDir,
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${consolePort}`,
      '--quiet',
    ],
    {
      stdio: ['ignore', out, out],
      detached: opts.detached ?? false,
      env: {
        ...process.env,
        MINIO_ROOT_USER: accessKey,
        MINIO_ROOT_PASSWORD: secretKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        MINIO_CI_CD: '1',
      },
    }
  );
  if (opts.detached) child.unref();
  let exited: number | null = null;
  child.once('exit', (c) => {
    exited = c ?? -1;
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited !== null) throw new Error(`S3 server exited with code ${exited} before it was ready; see ${out.path}`);
    try {
      const res = await fetch(`${endpoint}/minio/health/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`S3 server not ready on ${endpoint} within ${opts.readyTimeoutMs ?? 60_000} ms; see ${out.path}`);
    }
    await sleep(100);
  }
  return {
    endpoint,
    port,
    pid: child.pid!,
    dataDir: opts.dataDir,
    env: {
      OMNI_ZERO_S3_ENDPOINT: endpoint,
      OMNI_ZERO_S3_PATH_STYLE: '1',
      AWS_ACCESS_KEY_ID: accessKey,
      AWS_SECRET_ACCESS_KEY: secretKey,
      AWS_REGION: 'us-east-1',
    },
    stop: () => stopProcess(child),
  };
}
