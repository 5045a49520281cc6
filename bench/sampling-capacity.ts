/**
 * `npm run bench -- sampling-capacity [rounds] [prompts]`: the ceiling of issue 19's rollout fan-out on this machine
 * with no orchestration at all. The fan-out bench's qwen2-6m rollout (bench/sampling-capacity/probe.ts: `prompts`
 * × 8 rows of 128 tokens, default 64 prompts = 512 rows) runs in one process pinned to core 0, then its two halves in
 * two processes pinned to cores 0 and 1 at once (each the fan-out's GPU worker set-up: native backend, one intra-op and
 * one inter-op thread), alternating `rounds` times (default 3). The ratio of the whole batch's time to the slower
 * half's is what two GPU workers can buy at best: unlike the core-capacity probe's small matmul, each process streams
 * its own copy of the model's weights every token, so the two also share the memory system.
 */
import os from 'node:os';
import { machineInfo } from './machine.ts';
import { runPinned } from './pinned.ts';

/** ms of one probe process pinned to `core` sampling prompts [from, to) of the round's batch (its seed). */
async function sampleOn(core: number, prompts: number, seed: number, from: number, to: number): Promise<number> {
  const probe = 'sampling-capacity/probe.ts';
  return (await runPinned<{ samplingMs: number }>(core, probe, [prompts, seed, from, to])).samplingMs;
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
  const seed = r + 1;
  alone.push(await sampleOn(0, prompts, seed, 0, prompts));
  halves.push(
    (await Promise.all([
      sampleOn(0, prompts, seed, 0, prompts / 2),
      sampleOn(1, prompts, seed, prompts / 2, prompts),
    ])) as [number, number]
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
