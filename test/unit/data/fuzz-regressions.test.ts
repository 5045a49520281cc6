/** Rows the dataset fuzz tests found, pinned one by one: each cannot be used as it reads and must be quarantined. */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { readJsonlLines } from '../../../data/jsonl.ts';
import { loadRows } from '../../../data/load.ts';

const ctx = { task: 't', kind: 'math' as const, seed: 1 };
const file = (...lines: (string | Buffer)[]) =>
  Readable.from([Buffer.concat(lines.flatMap((l) => [Buffer.from(l), Buffer.from('\n')]))]);

test('a line with bytes that are not UTF-8 is quarantined, not loaded with U+FFFD in its text', async () => {
  const broken = Buffer.concat([
    Buffer.from('{"id":"b","prompt":"caf'),
    Buffer.from([0xe9]),
    Buffer.from('","reference":"1"}'),
  ]);
  const r = await loadRows(file('{"id":"a","prompt":"café","reference":"1"}', broken), 'omni', ctx);
  assert.deepEqual(
    r.rows.map((x) => [x.id, x.prompt]),
    [['a', 'café']]
  );
  assert.equal(r.quarantine.records[0].line, 2);
  assert.match(r.quarantine.records[0].reason, /^utf-8: /);
  assert.match(r.quarantine.records[0].raw, /caf\uFFFD/);
});

test('only the damaged line is flagged, wherever the stream is cut; a byte-order mark at the start is skipped', async () => {
  const bytes = Buffer.concat([
    Buffer.from('\uFEFF{"a":"☕"}\n{"b":"'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}\n{"c":"é"}\n'),
  ]);
  for (let cut = 1; cut < bytes.length; cut++) {
    const lines = [];
    for await (const l of readJsonlLines(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]))) lines.push(l);
    assert.deepEqual(
      lines.map((l) => [l.raw.startsWith('{"b"') ? 'b' : l.raw, l.invalidUtf8 ?? false]),
      [
        ['{"a":"☕"}', false],
        ['b', true],
        ['{"c":"é"}', false],
      ],
      `cut at byte ${cut}`
    );
  }
});

test('omni: a blank id or prompt is quarantined like every other adapter does', async () => {
  const r = await loadRows(
    file('{"id":" ","prompt":"p","reference":"1"}', '{"id":"x","prompt":"\\t\\n","reference":"1"}'),
    'omni',
    ctx
  );
  assert.equal(r.rows.length, 0);
  assert.deepEqual(
    r.quarantine.records.map((q) => q.reason),
    ['adapter omni: id: must be a non-empty string', 'adapter omni: prompt: must be a non-empty string']
  );
});

test('a verifiable row whose gold answer is blank has nothing to verify against and is quarantined', async () => {
  const r = await loadRows(
    file('{"id":"a","prompt":"p","reference":"  "}', '{"id":"b","prompt":"q","accepted":[" "]}'),
    'omni',
    ctx
  );
  assert.equal(r.rows.length, 0);
  for (const q of r.quarantine.records) assert.match(q.reason, /^verifier: a math row needs a reference/);
});
