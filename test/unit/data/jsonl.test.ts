import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { DataInputError } from '../../../data/errors.ts';
import { readJsonlLines, splitObjectUri, toJsonl } from '../../../data/jsonl.ts';
import { Quarantine } from '../../../data/quarantine.ts';

async function collect(src: string | Readable) {
  const out = [];
  for await (const l of readJsonlLines(src)) out.push(l);
  return out;
}

test('lines are numbered as an editor shows them; blank lines and CRLF endings are handled', async () => {
  const lines = await collect(Readable.from(['{"a":1}\r\n\n  \n{"b":', '2}\n{"c":3}']));
  assert.deepEqual(lines, [
    { line: 1, raw: '{"a":1}' },
    { line: 4, raw: '{"b":2}' },
    { line: 5, raw: '{"c":3}' },
  ]);
});

test('a multi-byte character split across chunks is decoded whole', async () => {
  const bytes = Buffer.from('{"q":"café ☕"}\n');
  const cut = bytes.indexOf(0xe2) + 1; // inside the 3-byte ☕
  const lines = await collect(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]));
  assert.equal(JSON.parse(lines[0].raw).q, 'café ☕');
});

test('reads a plain path and a file:// URI; a missing file is a DataInputError naming the path', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'oz-jsonl-'));
  const file = path.join(dir, 'x.jsonl');
  await writeFile(file, toJsonl([{ a: 1 }, { b: 2 }]));
  assert.equal((await collect(file)).length, 2);
  assert.equal((await collect(`file://${file}`)).length, 2);
  await assert.rejects(
    collect(path.join(dir, 'missing.jsonl')),
    (e: Error) => e instanceof DataInputError && /missing\.jsonl/.test(e.message)
  );
  await assert.rejects(collect(dir), /is not a file/);
});

test('splitObjectUri separates the store folder from the key', () => {
  assert.deepEqual(splitObjectUri('s3://bucket/data/x.jsonl'), { base: 's3://bucket/data', key: 'x.jsonl' });
  assert.deepEqual(splitObjectUri('s3://bucket/x.jsonl'), { base: 's3://bucket', key: 'x.jsonl' });
  assert.throws(() => splitObjectUri('s3://bucket'), /names a bucket/);
  assert.throws(() => splitObjectUri('s3://bucket/dir/'), /ends with/);
});

test('an s3:// source is read through the openStore the caller passes, and refused without one', async () => {
  const opened: string[] = [];
  const openStore = (base: string) => {
    opened.push(base);
    return {
      getStream: async (key: string) => Readable.from([Buffer.from(`{"key":"${key}"}\n`)]),
      getToFile: async () => {},
    };
  };
  const lines: string[] = [];
  for await (const l of readJsonlLines('s3://bucket/data/x.jsonl', openStore)) lines.push(l.raw);
  assert.deepEqual(opened, ['s3://bucket/data']);
  assert.deepEqual(lines, ['{"key":"x.jsonl"}']);
  await assert.rejects(
    collect('s3://bucket/data/x.jsonl'),
    (e: Error) => e instanceof DataInputError && /pass openStore/.test(e.message)
  );
});

test('quarantine truncates raw text and counts reasons by kind', () => {
  const q = new Quarantine(10);
  q.add(1, 'json: Unexpected token', 'x'.repeat(50));
  q.add(2, 'adapter a: question: missing', '{}');
  q.add(3, 'adapter a: question: must be a non-empty string', '{}');
  assert.equal(q.records[0].raw, `${'x'.repeat(10)}…`);
  assert.deepEqual(q.summary(), {
    count: 3,
    topReasons: [
      { reason: 'adapter a: question', count: 2 },
      { reason: 'json: unparseable line', count: 1 },
    ],
  });
});
