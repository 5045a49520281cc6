/**
 * `npm run bench -- chaos [--runs N] [--seed S] [--faults-per-run F] [--keep]`: the chaos drill (bench/chaos/drill.ts).
 * A learning experiment is run once undisturbed, then N times (default 20) with F faults each (default 3) at seeded
 * moments: kill -9 of the main, GPU, CPU or I/O worker, kill -9 of the dev server, MinIO stopped for 5-30 s, a judge
 * that hangs for 5-20 s. Prints one JSON object: runs completed, runs whose every step ran exactly once, whose
 * checkpoints verified and whose final weights equal the reference's, fault mix and recovery times. Progress goes to
 * stderr. The stack's files go to a scratch folder, removed at the end unless --keep.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CHAOS_TOTAL_STEPS } from './chaos/config.ts';
import { runChaosDrill } from './chaos/drill.ts';
import { machineInfo } from './machine.ts';

function count(name: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}..${max}`;
    console.error(`--${name} must be a whole number ${range}, got '${raw}'`);
    process.exit(1);
  }
  return n;
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    args: process.argv.slice(3),
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      'faults-per-run': { type: 'string' },
      keep: { type: 'boolean' },
    },
    strict: true,
  }).values;
}
try {
  args = parse();
} catch (err) {
  console.error(
    `${(err as Error).message}\nusage: npm run bench -- chaos [--runs N] [--seed S] [--faults-per-run F] [--keep]`
  );
  process.exit(1);
}

const counts = {
  runs: count('runs', args.runs, 20, 1),
  seed: count('seed', args.seed, 1, 0),
  // One fault per step boundary at most (plan.ts).
  faultsPerRun: count('faults-per-run', args['faults-per-run'], 3, 1, CHAOS_TOTAL_STEPS - 1),
};
const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-chaos-'));
const started = new Date().toISOString();
try {
  const report = await runChaosDrill({
    ...counts,
    dir,
    log: (line) => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`),
  });
  console.log(JSON.stringify({ bench: 'chaos', started, machine: machineInfo(), ...report }, null, 2));
} finally {
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
  else console.error(`stack files kept in ${dir}`);
}
process.exit(0);
