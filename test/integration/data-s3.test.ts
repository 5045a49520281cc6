import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { loadRows } from '../../data/load.ts';
import { prepareTask } from '../../data/prepare.ts';
import { taskSchema } from '../../schemas/experiment/tasks.ts';
import type { TaskConfig } from '../../schemas/experiment.ts';
import { openBlobStore } from '../../storage/open.ts';
import { pythonTools } from '../helpers/python.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';

after(stopOwnS3);

test('a JSONL dataset on the real S3 server loads with its quarantine, and prepareTask writes its outputs back to S3', async () => {
  const store = await freshBucket('oz-data');
  const text = await readFile(new URL('../fixtures/data/openr1-math.jsonl', import.meta.url), 'utf8');
  await store.put('datasets/openr1.jsonl', text);
  const uri = store.uriOf('datasets/openr1.jsonl');
  assert.match(uri, /^s3:\/\//);
  const loaded = await loadRows(uri, 'openr1-math', { task: 'm', kind: 'math', seed: 0 }, { openStore: openBlobStore });
  assert.equal(loaded.rows.length, 8);
  assert.deepEqual(
    loaded.quarantine.records.map((r) => r.line),
    [5, 8, 9, 11]
  );
  const config = taskSchema.parse({
    kind: 'math',
    source: { type: 'jsonl', uri, adapter: 'openr1-math', heldOutSize: 2 },
  }) as TaskConfig;
  const r = await prepareTask('m', config, {
    seed: 1,
    output: { store, prefix: 'runs/r1/data/m' },
    openStore: openBlobStore,
  });
  const keys = (await store.list('runs/r1/data/m')).map((b) => b.key);
  assert.deepEqual(keys, [
    'runs/r1/data/m/held-out.jsonl',
    'runs/r1/data/m/manifest.json',
    'runs/r1/data/m/quarantine.jsonl',
    'runs/r1/data/m/train.jsonl',
  ]);
  const manifest = JSON.parse(Buffer.from(await store.get('runs/r1/data/m/manifest.json')).toString('utf8'));
  assert.equal(manifest.outputs.train.rows, 6);
  assert.equal(manifest.outputs.train.sha256, r.manifest.outputs.train.sha256);
});

test('a Parquet dataset on the real S3 server loads as the same file does locally', async (t) => {
  const tools = await pythonTools();
  if (tools.python === undefined) return t.skip(tools.skip);
  const dir = mkdtempSync(path.join(tmpdir(), 'oz-parquet-s3-'));
  const writer = new URL('../fixtures/data/parquet/write.py', import.meta.url).pathname;
  const w = spawnSync(tools.python, [writer, dir, '2'], { encoding: 'utf8' });
  assert.equal(w.status, 0, w.stderr);
  const store = await freshBucket('oz-parquet');
  await store.putFile('datasets/code-r1.parquet', path.join(dir, 'code-r1.parquet'));
  const ctx = { task: 'c', kind: 'code', seed: 0 } as const;
  const remote = await loadRows(store.uriOf('datasets/code-r1.parquet'), 'code-r1', ctx, { openStore: openBlobStore });
  const local = await loadRows(path.join(dir, 'code-r1.parquet'), 'code-r1', ctx);
  assert.equal(remote.rows.length, 7);
  assert.deepEqual(remote.rows, local.rows);
});
