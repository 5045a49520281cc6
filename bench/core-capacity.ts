/**
 * `npm run bench -- core-capacity`: how much compute two pinned processes get on this machine against one — the
 * ceiling of any speed-up from a second worker process (issue 19's fan-out). The same compute-bound kernel
 * (bench/core-capacity/probe.ts: the decoding step's main matmul, native backend, one thread) runs alone on core 0,
 * then on cores 0 and 1 at once, alternating `rounds` times. Virtual cores that share a physical one (or a host that
 * caps the machine's CPU) show a capacity well under 2.
 */
import os from 'node:os';
import { machineInfo } from './machine.ts';
import { runPinned } from './pinned.ts';

/** Matmuls per second of one probe process pinned to `core`. */
async function probeOn(core: number, seconds: number): Promise<number> {
  return (await runPinned<{ matmulsPerSec: number }>(core, 'core-capacity/probe.ts', [seconds])).matmulsPerSec;
}

export interface CoreCapacity {
  /** Rate of one process alone on core 0, per round. */
  alone: number[];
  /** Rates of the two processes running at once on cores 0 and 1, per round. */
  together: [number, number][];
  /** Median over rounds of (sum of the two together) ÷ (one alone): 2 = two full cores, 1 = one core's worth. */
  capacity: number;
}

export async function coreCapacity(rounds = 3, seconds = 3): Promise<CoreCapacity> {
  const alone: number[] = [];
  const together: [number, number][] = [];
  for (let i = 0; i < rounds; i++) {
    alone.push(await probeOn(0, seconds));
    together.push((await Promise.all([probeOn(0, seconds), probeOn(1, seconds)])) as [number, number]);
  }
  const ratios = together.map(([x, y], i) => (x + y) / alone[i]).sort((a, b) => a - b);
  return { alone, together, capacity: Number(ratios[Math.floor(ratios.length / 2)].toFixed(3)) };
}

if (process.argv[2] === 'core-capacity') {
  const loadBefore = os.loadavg();
  const result = await coreCapacity(Number(process.argv[3] ?? 3));
  console.log(
    JSON.stringify(
      { machine: { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() }, ...result },
      null,
      2
    )
  );
}
