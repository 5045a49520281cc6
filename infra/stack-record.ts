/**
 * How to reach the local stack's servers, recorded in the checkout's state folder by infra/dev-stack.ts whenever it
 * starts or reuses one: `.omni-zero/run/temporal.json` ({address, uiUrl}) and `.omni-zero/run/s3.json` ({endpoint,
 * region, keys}). A CLI command in a new shell reads them (cli/local-stack.ts), so the commands the demo prints work
 * without the five variables an S3 client otherwise needs. The S3 keys are the loopback server's own, written with
 * owner-only permissions.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RUN_DIR } from './paths.mjs';

export interface TemporalRecord {
  /** host:port of the frontend. */
  address: string;
  /** Base URL of its Web UI. */
  uiUrl: string;
}

export interface S3Record {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export const TEMPORAL_RECORD = path.join(RUN_DIR, 'temporal.json');
export const S3_RECORD = path.join(RUN_DIR, 's3.json');

/** Written to a temporary file and renamed, so a reader never sees half a record. */
export function writeRecord(file: string, value: TemporalRecord | S3Record): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function removeRecord(file: string): void {
  rmSync(file, { force: true });
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8'));
    return v !== null && typeof v === 'object' ? v : null;
  } catch {
    return null;
  }
}

const allStrings = (o: Record<string, unknown>, keys: readonly string[]): boolean =>
  keys.every((k) => typeof o[k] === 'string' && o[k] !== '');

/** The recorded Temporal server, or null when none is recorded (or the file is unreadable). */
export function readTemporalRecord(file = TEMPORAL_RECORD): TemporalRecord | null {
  const o = readJson(file);
  return o && allStrings(o, ['address', 'uiUrl']) ? (o as unknown as TemporalRecord) : null;
}

/** The recorded S3 server, or null when none is recorded (or the file is unreadable). */
export function readS3Record(file = S3_RECORD): S3Record | null {
  const o = readJson(file);
  return o && allStrings(o, ['endpoint', 'region', 'accessKeyId', 'secretAccessKey'])
    ? (o as unknown as S3Record)
    : null;
}

/** The environment S3 clients (our s3:// blob store, the AWS SDK chain) need to reach a recorded server. */
export function s3EnvOf(r: S3Record): Record<string, string> {
  return {
    OMNI_ZERO_S3_ENDPOINT: r.endpoint,
    OMNI_ZERO_S3_PATH_STYLE: '1',
    AWS_ACCESS_KEY_ID: r.accessKeyId,
    AWS_SECRET_ACCESS_KEY: r.secretAccessKey,
    AWS_REGION: r.region,
  };
}

/** True when a MinIO server answers its readiness probe at `endpoint` within a second. */
export async function s3Answers(endpoint: string): Promise<boolean> {
  try {
    return (await fetch(`${endpoint}/minio/health/ready`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}
