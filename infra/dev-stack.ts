/**
 * The long-lived local stack the demo and `omni-zero server` manage: the Temporal dev server on its usual ports
 * (7233, Web UI 8233) with its SQLite file under .omni-zero/, left running after the command exits so the Web UI
 * stays browsable. A pid file lets later commands find and stop it. The demo's S3-compatible server (MinIO) is kept
 * the same way: port 9000 (OMNI_ZERO_S3_PORT), data under .omni-zero/s3/, pid in .omni-zero/run/s3.pid. Where each
 * server is and how to connect to it is recorded beside the pid (infra/stack-record.ts) for the CLI to find.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_DIR, STATE_DIR } from './paths.mjs';
import { startS3Server } from './s3-server.ts';
import { removeRecord, S3_RECORD, s3Answers, s3EnvOf, TEMPORAL_RECORD, writeRecord } from './stack-record.ts';
import { canConnect, startDevServer } from './temporal-dev.ts';

export const DEV_PORT = Number(process.env.OMNI_ZERO_TEMPORAL_PORT ?? 7233);
export const DEV_UI_PORT = Number(process.env.OMNI_ZERO_TEMPORAL_UI_PORT ?? DEV_PORT + 1000);
const pidFile = path.join(RUN_DIR, 'temporal.pid');
export const DEV_S3_PORT = Number(process.env.OMNI_ZERO_S3_PORT ?? 9000);
const s3PidFile = path.join(RUN_DIR, 's3.pid');
/** The local server listens on loopback only; these are its keys, not secrets worth the name. */
const S3_ACCESS_KEY = 'omnizero';
const S3_SECRET_KEY = 'omnizero-local-secret';

export interface StackStatus {
  temporal: { address: string; uiUrl: string; running: boolean; pid: number | null; managed: boolean };
  s3: { endpoint: string; running: boolean; pid: number | null; managed: boolean };
}

/** The environment S3 clients (our s3:// blob store, the AWS SDK chain) need to reach the local server. */
export function localS3Env(endpoint = `http://127.0.0.1:${DEV_S3_PORT}`): Record<string, string> {
  return s3EnvOf(localS3Record(endpoint));
}

function localS3Record(endpoint: string) {
  return { endpoint, region: 'us-east-1', accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY };
}

function readPid(file = pidFile): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

export async function stackStatus(): Promise<StackStatus> {
  const pid = readPid();
  const s3Pid = readPid(s3PidFile);
  const endpoint = `http://127.0.0.1:${DEV_S3_PORT}`;
  return {
    s3: { endpoint, running: await s3Answers(endpoint), pid: s3Pid, managed: s3Pid !== null },
    temporal: {
      address: `127.0.0.1:${DEV_PORT}`,
      uiUrl: `http://127.0.0.1:${DEV_UI_PORT}`,
      running: await canConnect(DEV_PORT),
      pid,
      managed: pid !== null,
    },
  };
}

/** Starts the dev server unless one already answers on the port; returns where it is. */
/** `uiCodecEndpoint`: the codec server the Web UI decodes payloads with (docs/codec.md); applies when it starts. */
export async function ensureTemporal(
  log: (msg: string) => void = () => {},
  opts: { uiCodecEndpoint?: string } = {}
): Promise<StackStatus['temporal']> {
  const status = (await stackStatus()).temporal;
  if (status.running) {
    if (opts.uiCodecEndpoint) log('Temporal is already running: its Web UI keeps the codec endpoint it started with');
    writeRecord(TEMPORAL_RECORD, { address: status.address, uiUrl: status.uiUrl });
    return status;
  }
  log(`starting Temporal dev server on ${status.address} (Web UI ${status.uiUrl})`);
  const server = await startDevServer({
    port: DEV_PORT,
    uiPort: DEV_UI_PORT,
    dbFile: path.join(RUN_DIR, 'temporal.sqlite'),
    detached: true,
    uiCodecEndpoint: opts.uiCodecEndpoint,
  });
  writeFileSync(pidFile, String(server.pid));
  writeRecord(TEMPORAL_RECORD, { address: status.address, uiUrl: status.uiUrl });
  return { ...status, running: true, pid: server.pid, managed: true };
}

export async function stopTemporal(): Promise<boolean> {
  const pid = readPid();
  if (pid === null) return false;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && (await canConnect(DEV_PORT)); i++) await sleep(100);
  rmSync(pidFile, { force: true });
  removeRecord(TEMPORAL_RECORD);
  return true;
}

/**
 * Starts the local S3 server unless one already answers on its port, and puts its endpoint and keys into this
 * process's environment (so in-process workers and `omni-zero report` reach it). Another server on the port must
 * accept the same keys.
 */
export async function ensureS3(log: (msg: string) => void = () => {}): Promise<StackStatus['s3']> {
  const status = (await stackStatus()).s3;
  if (!status.running) {
    log(`starting S3 server (MinIO) on ${status.endpoint}, data in ${path.join(STATE_DIR, 's3')}`);
    const server = await startS3Server({
      dataDir: path.join(STATE_DIR, 's3', 'data'),
      port: DEV_S3_PORT,
      accessKey: S3_ACCESS_KEY,
      secretKey: S3_SECRET_KEY,
      detached: true,
    });
    writeFileSync(s3PidFile, String(server.pid));
    status.running = true;
    status.pid = server.pid;
    status.managed = true;
  }
  writeRecord(S3_RECORD, localS3Record(status.endpoint));
  Object.assign(process.env, localS3Env(status.endpoint));
  return status;
}

export async function stopS3(): Promise<boolean> {
  const pid = readPid(s3PidFile);
  if (pid === null) return false;
  process.kill(pid, 'SIGTERM');
  const endpoint = `http://127.0.0.1:${DEV_S3_PORT}`;
  for (let i = 0; i < 100 && (await s3Answers(endpoint)); i++) await sleep(100);
  rmSync(s3PidFile, { force: true });
  removeRecord(S3_RECORD);
  return true;
}
