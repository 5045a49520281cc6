/**
 * `npm run bench -- sampling-capacity [rounds] [prompts]`: the ceiling of issue 19's rollout fan-out on this machine
 * with no orchestration at all. The fan-out bench's qwen2-6m rollout (bench/sampling-capacity/probe.ts: `prompts`
 * × 8 rows of 128 tokens, default 64 prompts = 512 rows) runs in one process pinned to core 0, then as two halves in
 * two processes pinned to cores 0 and 1 at once (each the fan-out's GPU worker set-up: native backend, one intra-op and
 * one inter-op thread), alternating `rounds` times (default 3). The ratio of the whole batch's time to the slower
 * half's is what two GPU workers can buy at best: unlike the core-capacity probe's small matmul, each process streams
 * its own copy of the model's weights every token, so the two also share the memory system.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { machineInfo } from './machine.ts';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const ONE_THREAD = { TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1', OMNI_ZERO_BACKEND: 'tensorflow' };

/** ms of one probe process pinned to `core` sampling `prompts` × 8 rows (seed picks the prompts). */
async function sampleOn(core: number, prompts: number, seed: number): Promise<number> {
  const probe = path.join(here, 'sampling-capacity', 'probe.ts');
  const { stdout } = await run(
    'taskset',
    ['-a', '-c', String(core), process.execPath, '--import', 'tsx', probe, String(prompts), String(seed)],
    { cwd: ROOT, env: { ...process.env, ...ONE_THREAD } }
  );
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { samplingMs: number }).samplingMs;
}

const rounds = Number(process.argv[3] ?? 3);
const prompts = Number(process.argv[4] ?? 64);
if (!(rounds >= 1) || !(prompts >= 2) || prompts % 2 !== 0) {
  console.error('usage: npm run bench -- sampling-capacity [rounds ≥ 1] [prompts, even]');
  process.exit(1);
}
const loadBefore = os.loadavg();
const alone: number[] = [];
const halves: [number, number][] = [];
for (let r = 0; r < rounds; r++) {
  alone.push(await sampleOn(0, prompts, r + 1));
  halves.push(
    (await Promise.all([sampleOn(0, prompts / 2, r + 1), sampleOn(1, prompts / 2, r + 101)])) as [number, number]
  );
}
const round = (x: number) => Math.round(x);
const ceilings = halves.map(([a, b], i) => alone[i] / Math.max(a, b));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  JSON.stringify(
    {
      area: 'sampling-capacity',
      machine: { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
      rows: prompts * 8,
      newTokens: 128,
      aloneMs: alone.map(round),
      halvesMs: halves.map(([a, b]) => [round(a), round(b)]),
      ceilingPerRound: ceilings.map((x) => Number(x.toFixed(3))),
      ceiling: Number(median(ceilings).toFixed(3)),
    },
    null,
    2
  )
);
