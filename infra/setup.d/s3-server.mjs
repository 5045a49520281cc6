// The S3-compatible server for tests and the demo: MinIO, built from source through the Go module proxy (the only
// route to it from a machine that reaches just the package registries) at the pinned version, into the shared tool cache (infra/paths.mjs).
// The first build takes a few minutes; afterwards this step is a stat.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { MINIO_BIN } from '../paths.mjs';

export default async function s3Server({ log, run, has, versions }) {
  if (existsSync(MINIO_BIN)) return;
  if (!has('go')) {
    throw new Error(
      'setup: building the S3 server (MinIO) needs Go: install it (e.g. apt-get install golang) and retry'
    );
  }
  mkdirSync(path.dirname(MINIO_BIN), { recursive: true });
  log(`building MinIO ${versions.minio} with the Go toolchain (first time only, a few minutes)`);
  run('go', ['install', versions.minio], {
    env: { ...process.env, GOBIN: path.dirname(MINIO_BIN), CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' },
  });
}
