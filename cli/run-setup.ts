/**
 * Runs infra/setup.mjs (the same idempotent installer `npm run setup` runs) as a child process, so the CLI can
 * install what it needs where it runs: a checkout gets the full setup, an installed package the tools its commands
 * start (infra/setup.mjs INSTALLED_STEPS), into the per-user tool cache (infra/paths.mjs).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { MINIO_BIN, ROOT, TEMPORAL_BIN } from '../infra/paths.mjs';

/** Setup's output goes to stderr, leaving stdout to the command's own result. */
export async function runSetup(args: string[] = []): Promise<void> {
  const child = spawn(process.execPath, [path.join(ROOT, 'infra', 'setup.mjs'), ...args], {
    stdio: ['ignore', process.stderr, process.stderr],
  });
  const code = await new Promise<number | string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, signal) => resolve(c ?? signal ?? -1));
  });
  if (code !== 0) throw new Error(`setup failed (${code}); its output is above`);
}

/**
 * Installs the Temporal CLI and, when `s3`, the S3 server and the code sandbox's system packages, if either binary is
 * missing: what the demo needs before it can start the local stack on a machine that never ran setup.
 */
export async function ensureStackTools(o: { s3: boolean; log: (m: string) => void }): Promise<void> {
  const missing = [TEMPORAL_BIN, ...(o.s3 ? [MINIO_BIN] : [])].filter((f) => !existsSync(f));
  if (missing.length === 0) return;
  o.log(`installing the local stack's tools (first run only): ${missing.join(', ')} missing`);
  await runSetup([`--only=temporalCli,sandbox${o.s3 ? ',s3-server' : ''}`]);
}
