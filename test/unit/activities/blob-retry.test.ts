import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isTransientStoreError, outageTolerant, retryThroughOutage } from '../../../activities/blob-retry.ts';
import { freePort } from '../../../infra/temporal-dev.ts';
import { FileBlobStore } from '../../../storage/file-store.ts';

test('a refused connection is transient; a missing key is not', async () => {
  const port = await freePort();
  const refused = await fetch(`http://127.0.0.1:${port}/`).catch((e) => e);
  assert.equal(isTransientStoreError(refused), true, String(refused?.cause?.code));
  const store = new FileBlobStore(mkdtempSync(path.join(os.tmpdir(), 'oz-br-')));
  const missing = await store.get('nope').catch((e) => e);
  assert.equal(isTransientStoreError(missing), false);
  assert.equal(isTransientStoreError({ $metadata: { httpStatusCode: 503 } }), true);
  assert.equal(isTransientStoreError({ $metadata: { httpStatusCode: 403 } }), false);
});

test('a call waits for a server that comes up 600 ms later, then succeeds', async () => {
  const port = await freePort();
  const server = http.createServer((_, res) => res.end('up'));
  const timer = setTimeout(() => server.listen(port, '127.0.0.1'), 600);
  let tries = 0;
  try {
    const body = await retryThroughOutage(
      'test server',
      async () => {
        tries++;
        return (await fetch(`http://127.0.0.1:${port}/`)).text();
      },
      { initialDelayMs: 50, maxDelayMs: 200 }
    );
    assert.equal(body, 'up');
    // Pauses 50, 100, 200, 200… ms: at least 3 tries fail before 600 ms (50+100+200 = 350 < 600).
    assert.ok(tries >= 4, `tries ${tries}`);
  } finally {
    clearTimeout(timer);
    server.close();
  }
});

test('the wait is bounded: after maxWaitMs the connection error is thrown', async () => {
  const port = await freePort();
  const t0 = Date.now();
  await assert.rejects(
    retryThroughOutage('nobody', () => fetch(`http://127.0.0.1:${port}/`), {
      maxWaitMs: 300,
      initialDelayMs: 50,
      maxDelayMs: 100,
    }),
    (e: unknown) => isTransientStoreError(e)
  );
  assert.ok(Date.now() - t0 < 2000);
});

test('outageTolerant passes real errors through at once', async () => {
  const store = outageTolerant(new FileBlobStore(mkdtempSync(path.join(os.tmpdir(), 'oz-br-'))));
  const t0 = Date.now();
  await assert.rejects(store.get('missing'), /no object/);
  assert.ok(Date.now() - t0 < 200);
  await store.put('a', 'x');
  assert.equal(Buffer.from(await store.get('a')).toString(), 'x');
});
