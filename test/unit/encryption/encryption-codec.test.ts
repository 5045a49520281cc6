import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  decodeOptionalFailureToOptionalError,
  encodeErrorToFailure,
  loadDataConverter,
} from '@temporalio/common/lib/internal-non-workflow/index.js';
import proto from '@temporalio/proto';
import { keyRingFromList, UnknownCodecKeyError } from '../../../encryption/index.ts';
import { codecFromEnv, dataConverterFor } from '../../../workers/data-converter.ts';
import { EncryptionCodec } from '../../../workers/encryption-codec.ts';

const K1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const K2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const SECRET = 'planted-secret-9c1e';
const value = { config: { name: 'run', template: { systemPrompt: SECRET } }, step: 3 };

const codec = (keys: string) => new EncryptionCodec(keyRingFromList(keys));
const text = (b?: Uint8Array | null) => new TextDecoder().decode(b ?? new Uint8Array());
const wire = (p: Payload) => Buffer.from(proto.temporal.api.common.v1.Payload.encode(p).finish());

test('round trip: the encoded payload is marked binary/encrypted with its key id and hides the value', async () => {
  const plain = defaultPayloadConverter.toPayload(value);
  const [encoded] = await codec(K1).encode([plain]);
  assert.equal(text(encoded.metadata?.encoding), 'binary/encrypted');
  assert.equal(text(encoded.metadata?.['encryption-key-id']), 'k1');
  assert.equal(
    Object.keys(encoded.metadata ?? {}).length,
    2,
    'the original encoding is sealed inside, not left beside'
  );
  assert.ok(wire(plain).includes(SECRET), 'the plain payload holds the secret');
  assert.equal(wire(encoded).includes(SECRET), false);
  const [decoded] = await codec(K1).decode([encoded]);
  assert.deepEqual(defaultPayloadConverter.fromPayload(decoded), value);
  assert.equal(text(decoded.metadata?.encoding), 'json/plain');
});

test('rotation: a ring with a new current key encodes with it and still decodes what the old key sealed', async () => {
  const [old] = await codec(K1).encode([defaultPayloadConverter.toPayload(value)]);
  const rotated = codec(`${K2},${K1}`);
  assert.deepEqual(defaultPayloadConverter.fromPayload((await rotated.decode([old]))[0]), value);
  const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload(value)]);
  assert.equal(text(fresh.metadata?.['encryption-key-id']), 'k2');
  assert.deepEqual(defaultPayloadConverter.fromPayload((await codec(K2).decode([fresh]))[0]), value);
});

test('a payload sealed with a key this process lacks: a clear error naming the key id, and listeners told', async () => {
  const [fresh] = await codec(K2).encode([defaultPayloadConverter.toPayload(value)]);
  const oldOnly = codec(K1);
  const told: string[] = [];
  oldOnly.onUnknownKey((err) => told.push(err.keyId));
  await assert.rejects(
    oldOnly.decode([fresh]),
    (err: unknown) => err instanceof UnknownCodecKeyError && /codec key 'k2'.*holds: k1/.test(err.message)
  );
  assert.deepEqual(told, ['k2']);
});

test('tampered ciphertext is rejected, not decoded to garbage', async () => {
  const [encoded] = await codec(K1).encode([defaultPayloadConverter.toPayload(value)]);
  const data = Buffer.from(encoded.data!);
  data[20] ^= 1;
  await assert.rejects(codec(K1).decode([{ ...encoded, data }]), /codec key 'k1': authentication failed/);
});

test('payloads written before the codec was on pass through decode unchanged', async () => {
  const plain = defaultPayloadConverter.toPayload(value);
  assert.deepEqual(await codec(K1).decode([plain]), [plain]);
});

test('failure messages and stack traces are encoded, so the codec encrypts them too', async () => {
  const converter = loadDataConverter(dataConverterFor(codec(K1)));
  const failure = await encodeErrorToFailure(converter, ApplicationFailure.create({ message: `bad ${SECRET}` }));
  assert.equal(failure.message, 'Encoded failure');
  assert.equal(failure.stackTrace, '');
  const bytes = Buffer.from(proto.temporal.api.failure.v1.Failure.encode(failure).finish());
  assert.equal(bytes.includes(SECRET), false);
  const plainFailure = await encodeErrorToFailure(loadDataConverter(undefined), new Error(`bad ${SECRET}`));
  assert.equal(plainFailure.message, `bad ${SECRET}`, 'without the codec the message is clear text');
  const back = await decodeOptionalFailureToOptionalError(converter, failure);
  assert.equal(back?.message, `bad ${SECRET}`);
});

test('no keys in the environment: no codec, the SDK default data converter', () => {
  assert.equal(codecFromEnv({}), null);
  assert.equal(dataConverterFor(null), undefined);
  assert.equal(codecFromEnv({ OMNI_ZERO_CODEC_KEYS: K1 })?.ring.currentKeyId, 'k1');
});
