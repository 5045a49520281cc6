/**
 * The real S3 server for tests: the one `npm test` started (OMNI_ZERO_S3_ENDPOINT in the environment), or, when a
 * test file runs on its own, a fresh MinIO started here. Each call to `freshBucket` makes an empty bucket.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type S3Server, startS3Server } from '../../infra/s3-server.ts';
import { S3BlobStore } from '../../storage/s3-store.ts';

let own: Promise<S3Server> | null = null;

export async function s3Endpoint(): Promise<string> {
  if (process.env.OMNI_ZERO_S3_ENDPOINT) return process.env.OMNI_ZERO_S3_ENDPOINT;
  own ??= startS3Server({ dataDir: path.join(mkdtempSync(path.join(os.tmpdir(), 'oz-s3-')), 'data') }).then((s) => {
    Object.assign(process.env, s.env);
    return s;
  });
  return (await own).endpoint;
}

export async function stopOwnS3(): Promise<void> {
  if (own) await (await own).stop();
  own = null;
}

export async function freshBucket(prefix = 'oz-test'): Promise<S3BlobStore> {
  await s3Endpoint();
  const bucket = `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const store = new S3BlobStore(bucket, 'base/prefix');
  await store.ensureBucket();
  return store;
}
