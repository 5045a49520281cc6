/** The behaviour every BlobStore must have, run against the file store and against the real S3 server. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BlobNotFoundError, type BlobStore } from '../../storage/blob-store.ts';
import {
  applyRetention,
  CheckpointError,
  checkpointPrefix,
  downloadCheckpoint,
  listCheckpoints,
  newestValidCheckpoint,
  readCheckpoint,
  verifyCheckpoint,
  writeCheckpoint,
} from '../../storage/checkpoints.ts';

const header = (metrics?: Record<string, number>) => ({
  experiment: 'contract',
  run: 'contract-run',
  stage: 'math',
  configHash: 'a'.repeat(64),
  ...(metrics ? { metrics } : {}),
});

export function blobStoreContract(name: string, makeStore: () => Promise<BlobStore>): void {
  const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'oz-blob-'));

  test(`${name}: put/get/head/list/delete round trip`, async () => {
    const store = await makeStore();
    const r = await store.put('a/b/c.txt', 'hello');
    // sha256("hello") = 2cf24dba…
    assert.equal(r.sha256, '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.equal(r.bytes, 5);
    assert.equal(Buffer.from(await store.get('a/b/c.txt')).toString(), 'hello');
    assert.deepEqual(await store.head('a/b/c.txt'), { key: 'a/b/c.txt', bytes: 5 });
    assert.equal(await store.head('a/b/missing'), null);
    await store.put('a/b/d.bin', new Uint8Array([1, 2, 3]));
    await store.put('a/x.txt', 'x');
    assert.deepEqual(
      (await store.list('a/b/')).map((b) => b.key),
      ['a/b/c.txt', 'a/b/d.bin']
    );
    assert.deepEqual(
      (await store.list('a/')).map((b) => b.key),
      ['a/b/c.txt', 'a/b/d.bin', 'a/x.txt']
    );
    await store.delete(['a/b/c.txt']);
    assert.equal(await store.head('a/b/c.txt'), null);
    await assert.rejects(store.get('a/b/c.txt'), BlobNotFoundError);
  });

  test(`${name}: putFile and getToFile move a multi-part-sized file intact`, async () => {
    const store = await makeStore();
    const dir = scratch();
    const src = path.join(dir, 'big.bin');
    const data = Buffer.alloc(11 * 2 ** 20 + 7);
    for (let i = 0; i < data.length; i += 4096) data[i] = (i / 4096) & 0xff;
    writeFileSync(src, data);
    const r = await store.putFile('files/big.bin', src);
    assert.equal(r.bytes, data.length);
    const dest = path.join(dir, 'out', 'big.bin');
    await store.getToFile('files/big.bin', dest);
    assert.ok(readFileSync(dest).equals(data));
  });

  test(`${name}: rejects keys that could escape the base`, async () => {
    const store = await makeStore();
    await assert.rejects(store.put('../evil', 'x'), /invalid blob key/);
    await assert.rejects(store.put('/abs', 'x'), /invalid blob key/);
  });

  test(`${name}: a checkpoint exists only once its manifest is written, and verifies`, async () => {
    const store = await makeStore();
    const run = 'runs/r1';
    const { prefix, manifest } = await writeCheckpoint(
      store,
      run,
      3,
      [
        { path: 'model.safetensors', data: new Uint8Array([9, 9, 9]) },
        { path: 'omni.json', data: '{"step":3}' },
      ],
      header({ accuracy: 0.5 })
    );
    assert.equal(prefix, 'runs/r1/checkpoints/step-00000003');
    assert.deepEqual(
      manifest.files.map((f) => [f.path, f.bytes]),
      [
        ['model.safetensors', 3],
        ['omni.json', 10],
      ]
    );
    assert.equal((await verifyCheckpoint(store, prefix, { deep: true })).ok, true);
    assert.equal(manifest.version, 1);
    assert.equal(manifest.run, 'contract-run');
    // A manifest that does not match the schema reads as broken, never as a checkpoint.
    await store.put(`${checkpointPrefix(run, 4)}/model.safetensors`, 'x');
    await store.put(`${checkpointPrefix(run, 4)}/manifest.json`, JSON.stringify({ version: 1, step: 4 }));
    const broken = await verifyCheckpoint(store, checkpointPrefix(run, 4));
    assert.equal(broken.ok, false);
    assert.match(broken.problems[0], /malformed: experiment: /);
    // An interrupted write: files without a manifest. It must not count.
    await store.put(`${checkpointPrefix(run, 5)}/model.safetensors`, 'partial');
    assert.deepEqual(
      (await listCheckpoints(store, run)).map((e) => [e.step, e.hasManifest]),
      [
        [3, true],
        [4, true],
        [5, false],
      ]
    );
    assert.equal((await newestValidCheckpoint(store, run))?.step, 3);
  });

  test(`${name}: corruption is detected and a corrupt checkpoint is skipped for resume`, async () => {
    const store = await makeStore();
    const run = 'runs/r2';
    await writeCheckpoint(store, run, 1, [{ path: 'w.bin', data: 'aaaa' }], header());
    const { prefix } = await writeCheckpoint(store, run, 2, [{ path: 'w.bin', data: 'bbbb' }], header());
    await store.put(`${prefix}/w.bin`, 'bbbX'); // same size, different bytes
    const shallow = await verifyCheckpoint(store, prefix);
    assert.equal(shallow.ok, true, 'sizes still match');
    const deep = await verifyCheckpoint(store, prefix, { deep: true });
    assert.equal(deep.ok, false);
    assert.match(deep.problems[0], /w\.bin: sha256/);
    assert.equal((await newestValidCheckpoint(store, run, { deep: true }))?.step, 1);
    await assert.rejects(downloadCheckpoint(store, prefix, path.join(scratch(), 'ck')), /fails its sha256 check/);
    await store.put(`${prefix}/w.bin`, 'bb'); // truncated
    assert.match((await verifyCheckpoint(store, prefix)).problems[0], /w\.bin: 2 bytes, manifest says 4/);
  });

  test(`${name}: a checkpoint read into memory is verified file by file, its wrong bytes refused`, async () => {
    const store = await makeStore();
    const big = Uint8Array.from({ length: 3 << 20 }, (_, i) => (i * 7919) >> 3);
    const { prefix } = await writeCheckpoint(
      store,
      'runs/r4',
      1,
      [
        { path: 'model.safetensors', data: big },
        { path: 'optimizer.safetensors', data: 'moments' },
        { path: 'omni.json', data: '{"step":1}' },
      ],
      header()
    );
    const { manifest, files } = await readCheckpoint(store, prefix, (f) => f.path !== 'optimizer.safetensors');
    assert.deepEqual([...files.keys()].sort(), ['model.safetensors', 'omni.json'], 'the unwanted file is not read');
    assert.equal(manifest.files.length, 3, 'the manifest comes whole');
    assert.equal(Buffer.compare(files.get('model.safetensors')!, big), 0, 'the bytes as written');
    assert.equal(Buffer.from(files.get('omni.json')!).toString(), '{"step":1}');

    const damaged = Uint8Array.from(big);
    damaged[big.length >> 1] ^= 1;
    for (const [bytes, why] of [
      [damaged, /model\.safetensors .* fails its sha256 check/],
      [big.subarray(0, big.length - 1), /model\.safetensors .* has 3145727 bytes, not the manifest's 3145728/],
      [Uint8Array.from([...big, 0]), /model\.safetensors .* has 3145729 bytes, not the manifest's 3145728/],
    ] as const) {
      await store.put(`${prefix}/model.safetensors`, bytes);
      await assert.rejects(readCheckpoint(store, prefix), (err: unknown) => {
        assert.ok(err instanceof CheckpointError, String(err));
        assert.match(err.message, why);
        return true;
      });
    }
    await assert.rejects(readCheckpoint(store, checkpointPrefix('runs/r4', 2)), /no checkpoint at .*no manifest\.json/);
  });

  test(`${name}: retention keeps the last N and the best, and clears interrupted leftovers`, async () => {
    const store = await makeStore();
    const run = 'runs/r3';
    const acc = [0.1, 0.9, 0.3, 0.4, 0.2];
    for (let s = 0; s < acc.length; s++) {
      await writeCheckpoint(store, run, s * 10, [{ path: 'w', data: String(s) }], header({ accuracy: acc[s] }));
    }
    await store.put(`${checkpointPrefix(run, 15)}/w`, 'partial'); // older than the newest valid: a leftover
    await store.put(`${checkpointPrefix(run, 50)}/w`, 'in-flight'); // newer: may still be being written
    const deleted = await applyRetention(store, run, { keepLast: 2, best: { metric: 'accuracy', mode: 'max' } });
    assert.deepEqual(
      deleted.sort((a, b) => a - b),
      [0, 15, 20]
    );
    assert.deepEqual(
      (await listCheckpoints(store, run)).map((e) => e.step),
      [10, 30, 40, 50]
    );
  });
}
