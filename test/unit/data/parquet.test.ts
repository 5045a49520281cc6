/**
 * Parquet datasets against real pyarrow: test/fixtures/data/parquet/write.py writes each adapter's public dataset
 * layout (nested chat-message lists, verl's reward_model / extra_info structs, INT64, nullable lists) with pyarrow's
 * defaults (snappy) in several row groups, and the same rows as JSONL. Every adapter must get exactly the rows from
 * the Parquet file that it gets from the JSONL; row groups are read one at a time; broken files are rejected naming
 * the file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { type AsyncBuffer, parquetMetadataAsync } from 'hyparquet';
import { loadRows } from '../../../data/load.ts';
import { jsonOf, openParquet, type ParquetFile, parquetRows } from '../../../data/parquet.ts';
import { prepareTask } from '../../../data/prepare.ts';
import { taskSchema } from '../../../schemas/experiment/tasks.ts';
import type { TaskConfig } from '../../../schemas/experiment.ts';
import { pythonTools } from '../../helpers/python.ts';

const WRITER = new URL('../../fixtures/data/parquet/write.py', import.meta.url).pathname;
const ADAPTERS = ['webinstruct', 'openr1-math', 'code-r1', 'supergpqa', 'sharegpt'] as const;
const KIND = { webinstruct: 'stem', 'openr1-math': 'math', 'code-r1': 'code', supergpqa: 'qa', sharegpt: 'writing' };
const dir = mkdtempSync(path.join(tmpdir(), 'oz-parquet-'));
const file = (name: string, ext = 'parquet') => path.join(dir, `${name}.${ext}`);
let skip: string | undefined;

before(async () => {
  const tools = await pythonTools();
  if (tools.python === undefined) {
    skip = tools.skip;
    return;
  }
  const r = spawnSync(tools.python, [WRITER, dir, '2'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).pyarrow, '26.0.1');
});

const load = (name: (typeof ADAPTERS)[number], ext: string) =>
  loadRows(file(name, ext), name, { task: name, kind: KIND[name] as never, seed: 5 });

for (const name of ADAPTERS) {
  test(`${name}: pyarrow's Parquet gives the rows its JSONL gives`, async (t) => {
    if (skip) return t.skip(skip);
    const [fromParquet, fromJsonl] = await Promise.all([load(name, 'parquet'), load(name, 'jsonl')]);
    assert.ok(fromParquet.rows.length >= 4, `${fromParquet.rows.length} rows`);
    assert.equal(fromParquet.quarantine.count, 0, JSON.stringify(fromParquet.quarantine.summary()));
    assert.deepEqual(fromParquet.rows, fromJsonl.rows);
    assert.equal(fromParquet.lines, fromJsonl.lines);
  });
}

test('nested columns arrive as the adapters expect them', async (t) => {
  if (skip) return t.skip(skip);
  const code = (await load('code-r1', 'parquet')).rows;
  // prompt is list<struct<content, role>>: the user message, the source's system prompt dropped.
  assert.equal(code[0].prompt, 'Write add(a, b) returning the sum.');
  assert.deepEqual(code[1].tests, { inputs: ['3\n', '5\n'], outputs: ['9\n', '25\n'] });
  assert.equal(code[0].id, '1000'); // extra_info.index, an INT64 inside a struct
  assert.equal(code[1].meta?.dataset, 'taco');
  const chat = (await load('sharegpt', 'parquet')).rows;
  const second = chat.filter((r) => r.meta?.conversation === 'c2');
  assert.deepEqual(
    second.map((r) => [r.prompt, r.context?.length ?? 0]),
    [
      ['A couplet about the sea.', 1],
      ['Now one about rain.', 3],
    ]
  );
  const math = (await load('openr1-math', 'parquet')).rows;
  assert.deepEqual(
    math.map((r) => r.reference),
    ['1024', '2', '\\text{irrational}', '5050', '\\pi', '19']
  );
  const qa = (await load('supergpqa', 'parquet')).rows;
  assert.deepEqual(
    qa.map((r) => r.reference),
    ['Jupiter', 'Au', 'Shakespeare', '2x', 'Tokyo']
  );
});

test('files written with every other codec pyarrow offers give the same rows', async (t) => {
  if (skip) return t.skip(skip);
  const { python } = (await pythonTools()) as { python: string };
  for (const codec of ['zstd', 'gzip', 'brotli', 'lz4', 'none']) {
    const sub = path.join(dir, codec);
    mkdirSync(sub);
    const r = spawnSync(python, [WRITER, sub, '3', codec], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const p = await openParquet(path.join(sub, 'openr1-math.parquet'));
    const codecs = (await parquetMetadataAsync(p.file).finally(() => p.close())).row_groups.flatMap((g) =>
      g.columns.map((c) => c.meta_data?.codec)
    );
    assert.ok(
      codecs.every((c) => c === CODEC[codec]),
      `${codec}: ${codecs}`
    );
    for (const name of ['openr1-math', 'code-r1'] as const) {
      const rows = await loadRows(path.join(sub, `${name}.parquet`), name, {
        task: name,
        kind: KIND[name] as never,
        seed: 5,
      });
      assert.deepEqual(rows.rows, (await load(name, 'parquet')).rows, `${codec} ${name}`);
    }
  }
});

const CODEC: Record<string, string> = {
  zstd: 'ZSTD',
  gzip: 'GZIP',
  brotli: 'BROTLI',
  lz4: 'LZ4_RAW',
  none: 'UNCOMPRESSED',
};

/** A file whose reads are recorded, to see which row group's bytes were asked for when. */
function recorded(p: ParquetFile, reads: [number, number][]): ParquetFile {
  const f: AsyncBuffer = {
    byteLength: p.file.byteLength,
    slice: (start, end) => {
      reads.push([start, end ?? p.file.byteLength]);
      return p.file.slice(start, end);
    },
  };
  return { ...p, file: f };
}

test('row groups are read one at a time, as the rows are consumed', async (t) => {
  if (skip) return t.skip(skip);
  const p = await openParquet(file('code-r1'));
  try {
    const metadata = await parquetMetadataAsync(p.file);
    assert.equal(metadata.row_groups[0].columns[0].meta_data?.codec, 'SNAPPY');
    // Byte span of each row group's column chunks.
    const spans = metadata.row_groups.map((g) => {
      const starts = g.columns.map((c) => Number(c.meta_data?.dictionary_page_offset ?? c.meta_data?.data_page_offset));
      const ends = g.columns.map((c, i) => starts[i] + Number(c.meta_data?.total_compressed_size));
      return [Math.min(...starts), Math.max(...ends)];
    });
    assert.equal(spans.length, 4); // 7 rows, 2 per group
    const reads: [number, number][] = [];
    const groupsRead = () =>
      [
        ...new Set(reads.slice(1).flatMap(([s, e]) => spans.flatMap(([a, b], i) => (s < b && e > a ? [i] : [])))),
      ].sort();
    const rows = parquetRows(recorded(p, reads));
    const seen: number[][] = [];
    for await (const r of rows) seen.push([r.line, ...groupsRead()]);
    // The footer first (reads[0]); then row group k is read only when row 2k+1 is wanted.
    assert.deepEqual(seen, [
      [1, 0],
      [2, 0],
      [3, 0, 1],
      [4, 0, 1],
      [5, 0, 1, 2],
      [6, 0, 1, 2],
      [7, 0, 1, 2, 3],
    ]);
  } finally {
    await p.close();
  }
});

test('a truncated file, a file that is not Parquet and a corrupt row group are rejected naming the file', async (t) => {
  if (skip) return t.skip(skip);
  const bytes = readFileSync(file('sharegpt'));
  const truncated = file('truncated');
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(load2(truncated), (err: Error) => {
    assert.equal(err.name, 'DataInputError');
    assert.match(err.message, new RegExp(`^uri: ${truncated} is not a readable Parquet file \\(.+\\)`));
    return true;
  });
  const notParquet = file('not-parquet');
  writeFileSync(notParquet, readFileSync(file('sharegpt', 'jsonl')));
  await assert.rejects(load2(notParquet), new RegExp(`${notParquet} is not a readable Parquet file`));

  const p = await openParquet(file('sharegpt'));
  const metadata = await parquetMetadataAsync(p.file).finally(() => p.close());
  const column = metadata.row_groups[1].columns[0].meta_data;
  const at = Number(column?.dictionary_page_offset ?? column?.data_page_offset);
  const corrupt = Buffer.from(bytes);
  corrupt.fill(0xff, at, at + 24); // row group 2's first page header
  const broken = file('corrupt');
  writeFileSync(broken, corrupt);
  await assert.rejects(
    load2(broken),
    new RegExp(`uri: ${broken}: row group 2 of 2 \\(rows 3–4\\) cannot be read \\(.+\\): the file is corrupt`)
  );
});

const load2 = (f: string) => loadRows(f, 'sharegpt', { task: 'w', kind: 'writing', seed: 0 });

test('a task with source type file reads Parquet, by its name or by an explicit format', async (t) => {
  if (skip) return t.skip(skip);
  const unnamed = file('code-r1', 'data');
  writeFileSync(unnamed, readFileSync(file('code-r1')));
  for (const source of [{ uri: `file://${file('code-r1')}` }, { uri: `file://${unnamed}`, format: 'parquet' }]) {
    const config = taskSchema.parse({
      kind: 'code',
      source: { type: 'file', adapter: 'code-r1', heldOutSize: 2, maxSamples: 3, ...source },
    }) as TaskConfig;
    const r = await prepareTask('code', config, { seed: 1 });
    assert.deepEqual(
      r.manifest.stages.map((s) => [s.stage, s.in, s.out]),
      [
        ['load', 7, 7],
        ['dedup', 7, 7],
        ['max-prompt-tokens', 7, 7],
        ['held-out-split', 7, 5],
        ['max-samples', 5, 3],
      ]
    );
    assert.equal(r.heldOut.length, 2);
  }
});

test('INT64 beyond 2^53 stays exact as text; dates become ISO text; typed arrays become lists', () => {
  assert.deepEqual(jsonOf({ a: 2n ** 60n, b: 42n, c: new Date(0), d: new Float32Array([0.5]), e: [undefined] }), {
    a: '1152921504606846976',
    b: 42,
    c: '1970-01-01T00:00:00.000Z',
    d: [0.5],
    e: [null],
  });
});
