/**
 * `npm test`: starts the real services the tests talk to (Temporal dev server, and the S3 server once
 * infra/s3-server.ts exists), runs every test file under test/ with node's built-in runner, stops the services.
 * Exit code is the runner's. Pass file paths or substrings to run a subset: `npm test -- rl/ engine/`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './paths.mjs';
import { startServices } from './services.ts';

function listTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = listTests(path.join(ROOT, 'test')).filter(
  (f) => filters.length === 0 || filters.some((x) => path.relative(ROOT, f).includes(x))
);
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-test-'));
const services = await startServices({ stateDir: scratch });
let code = 1;
try {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files],
    { stdio: 'inherit', cwd: ROOT, env: { ...process.env, ...services.env } }
  );
  code = await new Promise<number>((r) => child.once('exit', (c, sig) => r(c ?? (sig ? 1 : 0))));
} finally {
  await services.stop();
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);
