/**
 * Fuzzed dataset files through the real loader and every filter: for each adapter, 10,000 malformed lines (see
 * test/helpers/fuzz-rows.ts) mixed with valid ones, streamed as a file or as randomly cut chunks. Nothing may crash,
 * every bad line is quarantined once with a reason naming its defect, and every good row comes out. Seeds are fixed,
 * so a failure reproduces; counts are reported as test diagnostics.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { seededOrder } from '../../../data/filters/shuffle.ts';
import { promptTokens } from '../../../data/filters/token-length.ts';
import { loadRows } from '../../../data/load.ts';
import { prepareTask } from '../../../data/prepare.ts';
import { DEFAULT_MAX_RAW_CHARS } from '../../../data/quarantine.ts';
import { taskSchema } from '../../../schemas/experiment/tasks.ts';
import type { TaskConfig } from '../../../schemas/experiment.ts';
import type { DatasetRow } from '../../../schemas/records/dataset-row.ts';
import { FileBlobStore } from '../../../storage/file-store.ts';
import { checkFilters } from '../../helpers/fuzz-filters.ts';
import { type AdapterSpec, badLine, blankLine, type FuzzLine, goodLine, SPECS } from '../../helpers/fuzz-rows.ts';

const SEED = 0x16_04;
const RUNS = 10;
const BAD_PER_RUN = 1000;
const GOOD_PER_RUN = 200;

/** One generated file: bad, good and blank lines in a seeded order, and how it is fed to the loader. */
function fileArb(spec: AdapterSpec) {
  const bad = Array.from({ length: BAD_PER_RUN }, (_, j) => badLine(spec, GOOD_PER_RUN + j));
  const good = Array.from({ length: GOOD_PER_RUN }, (_, i) => goodLine(spec, i));
  return fc.record({
    lines: fc.tuple(...bad, ...good, blankLine, blankLine, blankLine),
    order: fc.nat(),
    chunks: fc.option(fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 50 }), { nil: null }),
  });
}

/** The lines in a seeded order as one buffer, each ended by \n or \r\n. */
function assemble(lines: readonly FuzzLine[], order: number): { ordered: FuzzLine[]; bytes: Buffer } {
  const ordered = seededOrder(lines.length, order, 0x66757a).map((i) => lines[i]);
  const parts = ordered.flatMap((l, i) => [l.bytes, Buffer.from(i % 7 === 3 ? '\r\n' : '\n')]);
  return { ordered, bytes: Buffer.concat(parts) };
}

function chunked(bytes: Buffer, sizes: number[]): Readable {
  const out: Buffer[] = [];
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  return Readable.from(out);
}

interface Counts {
  generated: number;
  bad: number;
  good: number;
  blank: number;
  quarantined: number;
  kept: number;
  byDefect: Record<string, number>;
}

function checkLoad(ordered: FuzzLine[], rows: DatasetRow[], records: { line: number; reason: string; raw: string }[]) {
  const byLine = new Map<number, { reason: string; raw: string }[]>();
  for (const r of records) byLine.set(r.line, [...(byLine.get(r.line) ?? []), r]);
  const ids = new Map(rows.map((r) => [r.id, r]));
  assert.equal(ids.size, rows.length, 'row ids are unique');
  let wanted = 0;
  ordered.forEach((l, i) => {
    const at = byLine.get(i + 1) ?? [];
    if ('bad' in l) {
      assert.equal(at.length, 1, `line ${i + 1} (${l.bad}) is quarantined exactly once`);
      assert.match(at[0].reason, l.reason, `line ${i + 1} (${l.bad}): reason`);
      assert.ok(at[0].raw.length <= DEFAULT_MAX_RAW_CHARS + 1, 'quarantined text is truncated');
    } else {
      assert.equal(at.length, 0, `line ${i + 1} is not quarantined: ${at[0]?.reason}`);
    }
    if ('good' in l) {
      wanted += l.good.length;
      for (const id of l.good) assert.ok(ids.has(id), `line ${i + 1}: row '${id}' is kept`);
    }
  });
  assert.equal(rows.length, wanted, 'no row comes out that was not generated as good');
}

for (const [name, spec] of Object.entries(SPECS)) {
  test(`fuzz ${name}: ${RUNS * BAD_PER_RUN} malformed lines quarantined with their reason, every good row kept, filters hold`, async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'oz-fuzz-'));
    const counts: Counts = { generated: 0, bad: 0, good: 0, blank: 0, quarantined: 0, kept: 0, byDefect: {} };
    const filterCounts: Record<string, number> = {};
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fileArb(spec), async ({ lines, order, chunks }) => {
          const { ordered, bytes } = assemble(lines, order);
          const file = path.join(dir, `run-${run++}.jsonl`);
          if (chunks === null) await writeFile(file, bytes);
          const source = chunks === null ? file : chunked(bytes, chunks);
          const ctx = { task: 't', kind: spec.kind, seed: 3 };
          const loaded = await loadRows(source, name, ctx);
          checkLoad(ordered, loaded.rows, loaded.quarantine.records);
          const f = await checkFilters(loaded.rows, SEED + run);
          counts.generated += ordered.length;
          for (const l of ordered) {
            if ('bad' in l) {
              counts.bad++;
              counts.byDefect[l.bad] = (counts.byDefect[l.bad] ?? 0) + 1;
            } else if ('good' in l) counts.good++;
            else counts.blank++;
          }
          counts.quarantined += loaded.quarantine.count;
          counts.kept += loaded.rows.length;
          for (const [k, v] of Object.entries(f)) filterCounts[k] = (filterCounts[k] ?? 0) + v;
          if (chunks === null) await rm(file);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true }
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    assert.equal(counts.bad, RUNS * BAD_PER_RUN);
    assert.equal(counts.quarantined, counts.bad);
    t.diagnostic(JSON.stringify({ adapter: name, ...counts, filters: filterCounts }));
  });
}

for (const [name, spec] of Object.entries(SPECS)) {
  test(`fuzz ${name} through prepareTask: the manifest counts every bad line, and the written rows load back unchanged`, async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'oz-fuzz-prep-'));
    try {
      const [{ lines, order }] = fc.sample(fileArb(spec), { seed: SEED + 1, numRuns: 1 });
      const { ordered, bytes } = assemble(lines, order);
      const file = path.join(dir, 'in.jsonl');
      await writeFile(file, bytes);
      const maxTokens = 4096;
      const config = taskSchema.parse({
        kind: spec.kind,
        ...(spec.kind === 'writing' ? { scorer: 'judge' } : {}),
        source: { type: 'jsonl', uri: `file://${file}`, adapter: name, heldOutSize: 25 },
        filters: { maxPromptTokens: maxTokens, difficulty: { enabled: false } },
      }) as TaskConfig;
      const store = new FileBlobStore(dir);
      const r = await prepareTask('t', config, { seed: 5, output: { store, prefix: 'out' } });
      const bad = ordered.filter((l) => 'bad' in l).length;
      assert.equal(r.manifest.quarantine.count, bad);
      const load = r.manifest.stages.find((x) => x.stage === 'load');
      assert.equal(
        Object.values(load?.dropped ?? {}).reduce((a, b) => a + b, 0),
        bad
      );
      const good = await loadRows(
        Readable.from([Buffer.concat(ordered.filter((l) => 'good' in l).flatMap((l) => [l.bytes, Buffer.from('\n')]))]),
        name,
        { task: 't', kind: spec.kind, seed: 5 }
      );
      const fits = good.rows.filter((x) => promptTokens(x) <= maxTokens).map((x) => x.id);
      assert.deepEqual(
        [...r.train, ...r.heldOut].map((x) => x.id).sort(),
        fits.sort(),
        'every good row that fits is kept'
      );
      // Weird text (lone surrogates, NUL, U+2028) survives being written and read back.
      for (const [what, rows] of [
        ['train', r.train],
        ['held-out', r.heldOut],
      ] as const) {
        const again = await loadRows(path.join(dir, `out/${what}.jsonl`), 'omni', {
          task: 't',
          kind: spec.kind,
          seed: 5,
        });
        assert.equal(again.quarantine.count, 0, `${what}.jsonl reloads without quarantine`);
        assert.deepEqual(again.rows, rows, `${what}.jsonl reloads to the same rows`);
      }
      t.diagnostic(
        JSON.stringify({
          adapter: name,
          lines: ordered.length,
          quarantined: bad,
          train: r.train.length,
          heldOut: r.heldOut.length,
        })
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
