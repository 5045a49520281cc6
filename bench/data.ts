/**
 * bench/data.ts: data preparation throughput, each against the least work that could do the job, in the same run.
 * - load: loadRows (stream, parse, webinstruct adapter, zod row schema, quarantine) vs readFile + split + JSON.parse.
 * - dedup: normalised dedup vs a Set of raw prompts.
 * - downsample: categoryDownsample to 5,500 (OT) vs a plain seeded shuffle-and-slice.
 * - worlds: rows generated per second per world (no baseline: the number says whether generation could ever matter).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { categoryDownsample } from '../data/filters/category-downsample.ts';
import { dedupRows } from '../data/filters/dedup.ts';
import { seededOrder } from '../data/filters/shuffle.ts';
import { loadRows } from '../data/load.ts';
import { generateWorld, WORLDS } from '../data/worlds/index.ts';
import { machineInfo } from './machine.ts';

const ROWS = 50_000;
const REPEATS = 3;

async function median(fn: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
}

const CATS = ['Physics', 'Mathematics', 'Chemistry', 'Biology', 'Economics', 'Engineering', 'Business', 'Other'];
const dir = await mkdtemp(path.join(tmpdir(), 'oz-bench-data-'));
const file = path.join(dir, 'webinstruct.jsonl');
const lines: string[] = [];
for (let i = 0; i < ROWS; i++) {
  if (i % 100 === 99) lines.push('{"broken": ');
  else
    lines.push(
      JSON.stringify({
        id: `wi-${i}`,
        question: `A body of mass ${i % 97} kg moves at ${i % 13} m/s. What is its momentum in kg m/s? (case ${i % 9000})`,
        answer: String((i % 97) * (i % 13)),
        answer_type: 'Integer',
        category: CATS[i % 7 === 0 ? 7 : i % CATS.length],
        difficulty: 'Senior High School',
      })
    );
}
await writeFile(file, `${lines.join('\n')}\n`);

const baselineLoad = await median(async () => {
  const text = await readFile(file, 'utf8');
  let n = 0;
  for (const l of text.split('\n')) {
    if (!l) continue;
    try {
      JSON.parse(l);
      n++;
    } catch {}
  }
  return n;
});
let loaded: Awaited<ReturnType<typeof loadRows>> | undefined;
const load = await median(async () => {
  loaded = await loadRows(file, 'webinstruct', { task: 'stem', kind: 'stem', seed: 0 });
});
const rows = loaded?.rows ?? [];

const baselineDedup = await median(() => new Set(rows.map((r) => r.prompt)).size);
const dedup = await median(() => dedupRows(rows, 'normalised'));
const baselineSample = await median(() => seededOrder(rows.length, 1, 2).slice(0, 5500));
const downsample = await median(() => categoryDownsample(rows, { total: 5500, seed: 1 }));

const worlds: Record<string, number> = {};
for (const name of Object.keys(WORLDS)) {
  const ms = await median(() => generateWorld(WORLDS[name], { seed: 1, trainSize: 2000, heldOutSize: 100 }));
  worlds[name] = Math.round(2100 / (ms / 1000));
}
await rm(dir, { recursive: true, force: true });

const r = (x: number) => Math.round(x * 10) / 10;
console.log(
  JSON.stringify(
    {
      area: 'data',
      machine: machineInfo(),
      rows: ROWS,
      quarantined: loaded?.quarantine.count,
      load: {
        ms: r(load),
        baselineMs: r(baselineLoad),
        ratio: r(load / baselineLoad),
        rowsPerSec: Math.round(ROWS / (load / 1000)),
      },
      dedupNormalised: { ms: r(dedup), baselineMs: r(baselineDedup), ratio: r(dedup / baselineDedup) },
      categoryDownsample: { ms: r(downsample), baselineMs: r(baselineSample), ratio: r(downsample / baselineSample) },
      worldRowsPerSec: worlds,
    },
    null,
    2
  )
);
