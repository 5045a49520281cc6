import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { BlobStoreConfigError } from '../../storage/blob-store.ts';
import { S3BlobStore } from '../../storage/s3-store.ts';
import { NON_RETRYABLE_TYPES } from '../../workflows/activity-options.ts';
import { blobStoreContract } from '../helpers/blob-store-contract.ts';
import { freshBucket, s3Endpoint, stopOwnS3 } from '../helpers/s3.ts';

after(stopOwnS3);

blobStoreContract('S3 store on the real S3 server', () => freshBucket());

test('a bucket that does not exist is a config error naming it (never retried), not an outage', async () => {
  await s3Endpoint();
  const store = new S3BlobStore(`oz-missing-${process.pid}-${Date.now()}`, 'runs');
  for (const op of [() => store.put('a.json', '{}'), () => store.list(''), () => store.get('a.json')]) {
    await assert.rejects(op(), (err: unknown) => {
      assert.ok(err instanceof BlobStoreConfigError, String(err));
      assert.match(err.message, /S3 bucket 'oz-missing-.*' does not exist: create it/);
      return true;
    });
  }
  // Activities' retry policy never retries it (an activity failure's type is the error's name).
  assert.ok(NON_RETRYABLE_TYPES.includes(new BlobStoreConfigError('x').name));
});
