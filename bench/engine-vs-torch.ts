/**
 * `npm run bench -- engine-vs-torch`: the engine against PyTorch + transformers on the same weights, the same batch
 * and the same cores. Each model runs in a process of its own (bench/engine-vs-torch/run-model.ts) beside a PyTorch
 * worker (torch_side.py), so each side's peak RSS is that model's; inside, the logits are checked equal first, then
 * sampling and one update step alternate between the sides repetition by repetition. PyTorch gets the machine's
 * cores as threads, as tfjs-node does.
 *
 * Knobs (environment): BENCH_MODELS (comma list of demo, qwen2-40m; default both), BENCH_REPS (repetitions per
 * side, default 3; each figure is the median), OMNI_ZERO_BACKEND (the engine's backend).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installTorchTestTools, TORCH_TEST_TOOLS_PYTHON } from '../infra/setup.d/torch-test-tools.mjs';
import { BENCH_MODELS } from './engine-vs-torch/models.ts';
import { machineInfo } from './machine.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const models = (process.env.BENCH_MODELS ?? Object.keys(BENCH_MODELS).join(',')).split(',');
const unknown = models.filter((m) => !(m in BENCH_MODELS));
if (unknown.length > 0) {
  console.error(`BENCH_MODELS: unknown ${unknown.join(', ')}; use ${Object.keys(BENCH_MODELS).join(', ')}`);
  process.exit(1);
}
const reps = process.env.BENCH_REPS ?? '3';
if (!(Number.isInteger(Number(reps)) && Number(reps) >= 1)) {
  console.error(`BENCH_REPS must be a positive whole number, got '${reps}'`);
  process.exit(1);
}

try {
  installTorchTestTools({
    log: (m: string) => process.stderr.write(`[torch-test-tools] ${m}\n`),
    run: (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
      if (r.status !== 0) throw new Error(`'${cmd} ${args.join(' ')}' failed (exit ${r.status})`);
    },
  });
} catch (e) {
  console.error(
    `engine-vs-torch: could not install PyTorch and transformers (${(e as Error).message}); see pip's output above`
  );
  process.exit(1);
}

const results = [];
for (const model of models) {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, path.join(here, 'engine-vs-torch', 'run-model.ts'), model, TORCH_TEST_TOOLS_PYTHON, reps],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 2 ** 20 }
  );
  if (child.status !== 0) {
    console.error(`engine-vs-torch: the ${model} run failed (exit ${child.status}); its error is above`);
    process.exit(1);
  }
  results.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!));
}

console.log(
  JSON.stringify({
    area: 'engine-vs-torch',
    machine: machineInfo(),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    models: results,
  })
);
