/**
 * `npm run bench -- rewards-sandbox`: runs per second of a trivial program in the bubblewrap sandbox with a pool of 2,
 * against the bare (unsandboxed) `python3 -c pass` rate measured in the same run, interleaved in rounds so that load
 * from other processes falls on both alike.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PYTHON } from '../rewards/sandbox/host.ts';
import { runTests, SandboxPool } from '../rewards/sandbox/index.ts';
import { machineInfo } from './machine.ts';

const POOL = 2;
const ROUNDS = 3;
const PER_ROUND = 40;

function bare(flags: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(DEFAULT_PYTHON, [...flags, '-c', 'pass'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`python exited ${code}`))));
  });
}

/** Runs `n` jobs through a pool of POOL and returns the elapsed seconds. */
async function timed(n: number, job: () => Promise<void>): Promise<number> {
  const pool = new SandboxPool(POOL);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => pool.run(job)));
  return (performance.now() - t0) / 1000;
}

export async function benchSandbox(): Promise<object> {
  const pool = new SandboxPool(POOL);
  const stdio = { inputs: [''], outputs: [''] };
  const sandboxed = (pythonFlags?: string[]) => async () => {
    const r = await runTests('pass\n', stdio, { pool, pythonFlags });
    if (r.status !== 'passed') throw new Error(`sandboxed run ${r.status}: ${r.stderrTail}`);
  };
  const functional = async () => {
    const r = await runTests(
      'def f():\n    return 1\n',
      { functional: 'assert f() == 1\nassert f() != 2\n' },
      { pool }
    );
    if (r.status !== 'passed') throw new Error(`functional run ${r.status}: ${r.stderrTail}`);
  };
  const cases = {
    barePython: () => bare([]),
    bareLean: () => bare(['-S', '-I']),
    sandbox: sandboxed(),
    sandboxWithSite: sandboxed([]),
    sandboxFunctional: functional,
  };
  const seconds: Record<keyof typeof cases, number> = {
    barePython: 0,
    bareLean: 0,
    sandbox: 0,
    sandboxWithSite: 0,
    sandboxFunctional: 0,
  };
  for (const job of Object.values(cases)) await timed(4, job); // warm the page cache
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, job] of Object.entries(cases) as [keyof typeof cases, () => Promise<void>][]) {
      seconds[name] += await timed(PER_ROUND, job);
    }
  }
  const rate = (name: keyof typeof cases) => Math.round(((ROUNDS * PER_ROUND) / seconds[name]) * 10) / 10;
  const sandboxRunsPerSec = rate('sandbox');
  return {
    area: 'rewards-sandbox',
    machine: machineInfo(),
    pool: POOL,
    runsPerCase: ROUNDS * PER_ROUND,
    sandboxRunsPerSec,
    bareRunsPerSec: rate('barePython'),
    bareLeanRunsPerSec: rate('bareLean'),
    sandboxWithSiteRunsPerSec: rate('sandboxWithSite'),
    functionalRunsPerSec: rate('sandboxFunctional'),
    /** Sandboxed `-S -I` over bare `python3 -c pass`: what isolation plus the lean flags cost or save. */
    ratioSandboxToBare: Math.round((sandboxRunsPerSec / rate('barePython')) * 100) / 100,
    /** Sandboxed over bare with the same `-S -I` flags: the price of bwrap + prlimit alone. */
    ratioSandboxToBareLean: Math.round((sandboxRunsPerSec / rate('bareLean')) * 100) / 100,
    target: { sandboxRunsPerSec: 40, met: sandboxRunsPerSec >= 40 },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) || process.argv[2] === 'rewards-sandbox') {
  console.log(JSON.stringify(await benchSandbox()));
}
