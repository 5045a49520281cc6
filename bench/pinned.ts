/**
 * A bench probe in a process of its own, pinned to one core (`taskset -a`), on the native backend with one thread
 * (`OMNI_ZERO_THREADS=1`): the set-up of a fan-out GPU worker, shared by the capacity benches.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** One core's worth of the native backend for a worker or probe process (engine/backend.ts reads it at load). */
export const ONE_THREAD = { OMNI_ZERO_THREADS: '1' };

/** Runs `script` (a path under bench/) pinned to `core`; its last stdout line, parsed as JSON. */
export async function runPinned<T>(core: number, script: string, args: (string | number)[]): Promise<T> {
  const { stdout } = await run(
    'taskset',
    [
      '-a',
      '-c',
      String(core),
      process.execPath,
      '--import',
      'tsx',
      path.join(ROOT, 'bench', script),
      ...args.map(String),
    ],
    { cwd: ROOT, env: { ...process.env, ...ONE_THREAD, OMNI_ZERO_BACKEND: 'tensorflow' } }
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}
