import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FileBlobStore } from '../../../storage/file-store.ts';
import { openBlobStore } from '../../../storage/open.ts';
import { blobStoreContract } from '../../helpers/blob-store-contract.ts';

blobStoreContract('file store', async () => new FileBlobStore(mkdtempSync(path.join(os.tmpdir(), 'oz-fs-'))));

test('openBlobStore understands file:// and s3:// URIs and rejects others with the fix', () => {
  assert.equal(openBlobStore('file:///tmp/x').uri, 'file:///tmp/x');
  assert.equal(openBlobStore('/tmp/y/').uri, 'file:///tmp/y');
  assert.equal(openBlobStore('s3://bucket-1/runs/demo').uri, 's3://bucket-1/runs/demo');
  assert.equal(openBlobStore('file://relative/dir').uri, `file://${path.resolve('relative/dir')}`);
  assert.throws(() => openBlobStore('file://'), /names no folder/);
  assert.throws(() => openBlobStore('s3://Bad_Bucket/x'), /invalid S3 bucket/);
  assert.throws(() => openBlobStore('gs://b/x'), /unsupported storage URI/);
});

test('list while files are being deleted (retention) lists what is left and never throws ENOENT', async () => {
  const store = new FileBlobStore(mkdtempSync(path.join(os.tmpdir(), 'oz-fs-race-')));
  for (let round = 0; round < 60; round++) {
    const keys = Array.from({ length: 40 }, (_, i) => `checkpoints/step-${round}/f${i}.bin`);
    await Promise.all(keys.map((k) => store.put(k, 'x')));
    const [found] = await Promise.all([store.list('checkpoints/'), store.delete(keys)]);
    assert.ok(found.length <= keys.length && found.every((b) => b.bytes === 1));
  }
  // Without a race the same listing finds every file (the store's list itself works here).
  await store.put('checkpoints/kept.bin', 'x');
  assert.deepEqual(await store.list('checkpoints/'), [{ key: 'checkpoints/kept.bin', bytes: 1 }]);
});
