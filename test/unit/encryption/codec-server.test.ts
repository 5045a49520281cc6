import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import { keyRingFromList } from '../../../encryption/index.ts';
import { type CodecServer, startCodecServer } from '../../../workers/codec-server.ts';
import { EncryptionCodec } from '../../../workers/encryption-codec.ts';

const K1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const K2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const UI = 'http://127.0.0.1:8233';
const codec = new EncryptionCodec(keyRingFromList(K1));
let server: CodecServer;

before(async () => {
  server = await startCodecServer({ codec, port: 0, webUiOrigins: [UI] });
});
after(() => server.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: UI, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const b64 = (s: string) => Buffer.from(s).toString('base64');
const plainJson = { metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify({ secret: 'tulip-42' })) };

test('encode then decode through the endpoint gives the payload back; encode hides it', async () => {
  const encoded = await post('/encode', { payloads: [plainJson] });
  assert.equal(encoded.status, 200);
  const { payloads: sealed } = (await encoded.json()) as { payloads: (typeof plainJson)[] };
  assert.equal(Buffer.from(sealed[0].metadata.encoding, 'base64').toString(), 'binary/encrypted');
  assert.equal(JSON.stringify(sealed).includes(b64(JSON.stringify({ secret: 'tulip-42' }))), false);
  const decoded = await post('/default/decode', { payloads: sealed });
  assert.equal(decoded.status, 200);
  assert.equal(decoded.headers.get('access-control-allow-origin'), UI);
  assert.deepEqual(await decoded.json(), { payloads: [plainJson] });
});

test('decodes what an SDK client encoded with the same key', async () => {
  const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ step: 7 })]);
  const body = {
    payloads: [
      {
        metadata: Object.fromEntries(
          Object.entries(sealed.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])
        ),
        data: Buffer.from(sealed.data!).toString('base64'),
      },
    ],
  };
  const res = (await (await post('/decode', body)).json()) as { payloads: (typeof plainJson)[] };
  assert.equal(Buffer.from(res.payloads[0].data, 'base64').toString(), '{"step":7}');
});

test('preflight from the Web UI origin allows POST with x-namespace and content-type; other origins get no CORS', async () => {
  const preflight = await fetch(`${server.url}/decode`, {
    method: 'OPTIONS',
    headers: {
      origin: UI,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-namespace',
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), UI);
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /x-namespace, content-type/);
  assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
  const stranger = await post('/decode', { payloads: [] }, { origin: 'http://evil.example' });
  assert.equal(stranger.headers.get('access-control-allow-origin'), null);
});

test('bad requests get a status and a reason, never a stack trace', async () => {
  const notJson = await post('/decode', '{oops');
  assert.equal(notJson.status, 400);
  assert.match(await notJson.text(), /not JSON/);
  assert.equal((await post('/decode', { nope: 1 })).status, 400);
  const [other] = await new EncryptionCodec(keyRingFromList(K2)).encode([defaultPayloadConverter.toPayload(1)]);
  const foreign = await post('/decode', {
    payloads: [
      {
        metadata: { encoding: b64('binary/encrypted'), 'encryption-key-id': b64('k2') },
        data: Buffer.from(other.data!).toString('base64'),
      },
    ],
  });
  assert.equal(foreign.status, 422);
  assert.match(await foreign.text(), /cannot decode: .*codec key 'k2', which this process does not hold/);
  assert.equal((await fetch(`${server.url}/decode`)).status, 405);
  assert.equal((await fetch(`${server.url}/other`, { method: 'POST' })).status, 404);
});
