/**
 * Python's reference implementations (safetensors + numpy, tokenizers) for tests that check our file formats against
 * them. Installs the pinned venv on first use (the same step `node infra/setup.mjs` runs), so a single test file
 * works on a bare checkout; skips only when pip cannot install.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import installPythonTestTools, {
  PYTHON_TEST_TOOLS_DIR,
  PYTHON_TEST_TOOLS_PYTHON,
  pythonTestToolsReady,
} from '../../infra/setup.d/python-test-tools.mjs';

export type PythonTools = { python: string; skip?: undefined } | { python?: undefined; skip: string };

const LOCK = `${PYTHON_TEST_TOOLS_DIR}.lock`;
/** A lock older than this is from a killed installer. */
const STALE_LOCK_MS = 10 * 60_000;

/** Runs `fn` holding a lock directory (test files run in parallel processes: installs are serialised). */
export async function withInstallLock<T>(fn: () => Promise<T>, lock = LOCK): Promise<T> {
  mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > STALE_LOCK_MS) rmSync(lock, { recursive: true, force: true });
      else await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** What an infra/setup.d step receives, for running one from a test: its log prefixed, commands that throw. */
export function setupStepContext(name: string) {
  return {
    log: (m: string) => process.stderr.write(`[${name}] ${m}\n`),
    run: (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status !== 0) throw new Error(`'${cmd} ${args.join(' ')}' failed (exit ${r.status})`);
    },
  };
}

let cached: Promise<PythonTools> | undefined;

/** The venv's python, installing it if needed (test files run in parallel processes: installs are serialised). */
export function pythonTools(): Promise<PythonTools> {
  cached ??= (async () => {
    if (pythonTestToolsReady()) return { python: PYTHON_TEST_TOOLS_PYTHON };
    try {
      await withInstallLock(async () => {
        if (pythonTestToolsReady()) return;
        await installPythonTestTools(setupStepContext('python-test-tools'));
      });
    } catch (e) {
      return {
        skip: `pip could not install the Python test tools (${(e as Error).message}); run 'node infra/setup.mjs --only=python-test-tools' to see why`,
      };
    }
    return pythonTestToolsReady()
      ? { python: PYTHON_TEST_TOOLS_PYTHON }
      : { skip: 'Python test tools are still missing after install' };
  })();
  return cached;
}

/** Runs a Python script with arguments; returns stdout, throws with stderr when it fails. */
export function runPython(python: string, script: string, args: string[] = []): string {
  const r = spawnSync(python, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`python failed (exit ${r.status}):\n${r.stderr}`);
  return r.stdout;
}

/** The venv's python for a test, or undefined after marking the test skipped (only when pip cannot install). */
export async function requirePython(t: { skip(message?: string): void }): Promise<string | undefined> {
  const tools = await pythonTools();
  if (tools.python !== undefined) return tools.python;
  t.skip(tools.skip);
  return undefined;
}
