/**
 * A download cut off mid-body (the S3 server dies, the network drops) must fail as a transient error — which the
 * activities' outage retry waits out — never leave a partial file at the destination that later fails its sha256 as
 * "corrupt", and resume from the bytes it received (a ranged GET pinned to the ETag) instead of starting over.
 * A TCP proxy in front of the real MinIO forwards the real protocol and cuts chosen connections after N bytes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { isTransientStoreError, outageTolerant } from '../../activities/blob-retry.ts';
import { downloadCheckpoint, writeCheckpoint } from '../../storage/checkpoints.ts';
import { S3BlobStore } from '../../storage/s3-store.ts';
import { freshBucket, s3Endpoint, stopOwnS3 } from '../helpers/s3.ts';

interface CuttingProxy {
  endpoint: string;
  /** Connections still to cut; each is cut after `cutAfterBytes` bytes from the server. */
  cutsLeft: number;
  cutAfterBytes: number;
  /** Bytes forwarded from the server to clients so far (headers included). */
  bytesFromServer: number;
  close(): Promise<void>;
}

async function cuttingProxy(target: string): Promise<CuttingProxy> {
  const { hostname, port } = new URL(target);
  const proxy: CuttingProxy = {
    endpoint: '',
    cutsLeft: 0,
    cutAfterBytes: 0,
    bytesFromServer: 0,
    close: async () => {},
  };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    sockets.add(client);
    sockets.add(upstream);
    let cutAt = Number.POSITIVE_INFINITY;
    let seen = 0;
    client.on('data', (b) => {
      // A GET of an object on this connection is the one to cut.
      if (cutAt === Number.POSITIVE_INFINITY && proxy.cutsLeft > 0 && b.toString('latin1').startsWith('GET ')) {
        proxy.cutsLeft--;
        cutAt = proxy.cutAfterBytes;
        // Counted from this request's response on: a kept-alive connection has carried others before.
        seen = 0;
      }
      upstream.write(b);
    });
    upstream.on('data', (b) => {
      if (seen + b.length >= cutAt) {
        proxy.bytesFromServer += Math.max(0, cutAt - seen);
        client.write(b.subarray(0, Math.max(0, cutAt - seen)));
        client.destroy();
        upstream.destroy();
        return;
      }
      seen += b.length;
      proxy.bytesFromServer += b.length;
      client.write(b);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  };
  return proxy;
}

let proxy: CuttingProxy;
let direct: S3BlobStore;
let viaProxy: S3BlobStore;
let checkpoint: string;
const payload = Buffer.alloc(3 * 2 ** 20);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) % 251;

before(async () => {
  proxy = await cuttingProxy(await s3Endpoint());
  direct = await freshBucket('oz-cut');
  viaProxy = new S3BlobStore(direct.bucket, 'base/prefix', { endpoint: proxy.endpoint, forcePathStyle: true });
  await direct.put('blob.bin', payload);
  checkpoint = (
    await writeCheckpoint(
      direct,
      'run',
      1,
      [
        { path: 'model.safetensors', data: payload },
        { path: 'state.json', data: '{"step":1}' },
      ],
      { experiment: 'cut', run: 'cut-1', stage: 'code', configHash: 'a'.repeat(64) }
    )
  ).prefix;
});
after(async () => {
  await proxy.close();
  await stopOwnS3();
});

test('a GET cut off mid-body rejects as transient, keeps its part, and the retry fetches only the rest', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-cut-'));
  proxy.cutsLeft = 1;
  proxy.cutAfterBytes = 2 << 20;
  const dest = path.join(dir, 'blob.bin');
  const err = await viaProxy.getToFile('blob.bin', dest).then(
    () => null,
    (e: unknown) => e
  );
  assert.ok(err, 'the cut download must not succeed');
  assert.equal(isTransientStoreError(err), true, `not transient: ${String(err)}`);
  assert.equal(existsSync(dest), false, 'nothing at the destination until complete');
  const part = readdirSync(dir).find((f) => f.startsWith('blob.bin.part-') && !f.endsWith('.etag'));
  assert.ok(part, `a part file is kept: ${readdirSync(dir)}`);
  const have = await readFile(path.join(dir, part));
  assert.ok(have.length > 1 << 20, `most of the body arrived before the cut (${have.length} bytes)`);
  assert.equal(Buffer.compare(have, payload.subarray(0, have.length)), 0, 'the part is a prefix of the object');
  // The retry asks for the rest only: far fewer bytes cross the wire than the object's size.
  proxy.bytesFromServer = 0;
  await viaProxy.getToFile('blob.bin', dest);
  assert.ok(
    proxy.bytesFromServer < payload.length - have.length + 8192,
    `retry moved ${proxy.bytesFromServer} bytes for ${payload.length - have.length} missing`
  );
  assert.equal(Buffer.compare(await readFile(dest), payload), 0);
  assert.deepEqual(readdirSync(dir), ['blob.bin'], 'part and ETag files are gone');
});

test('a part of an object that changed since is thrown away: the retry downloads the new object whole', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-cut-changed-'));
  await direct.put('changing.bin', payload);
  proxy.cutsLeft = 1;
  proxy.cutAfterBytes = 1 << 20;
  const dest = path.join(dir, 'changing.bin');
  await assert.rejects(viaProxy.getToFile('changing.bin', dest));
  const changed = Buffer.from(payload.map((b) => 255 - b));
  await direct.put('changing.bin', changed);
  await viaProxy.getToFile('changing.bin', dest);
  assert.equal(Buffer.compare(await readFile(dest), changed), 0, 'not a splice of the old and the new object');
});

test('a checkpoint download interrupted twice completes through the outage retry and verifies', async () => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'oz-cut-ck-')), 'ck');
  proxy.cutsLeft = 2;
  proxy.cutAfterBytes = 512 * 1024;
  const store = outageTolerant(viaProxy, { initialDelayMs: 50, maxDelayMs: 200, maxWaitMs: 30_000 });
  const manifest = await downloadCheckpoint(store, checkpoint, dir);
  assert.equal(proxy.cutsLeft, 0, 'both cuts happened');
  assert.equal(manifest.files.length, 2);
  assert.equal(Buffer.compare(await readFile(path.join(dir, 'model.safetensors')), payload), 0);
});
