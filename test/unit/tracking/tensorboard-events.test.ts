/** TFRecord framing as TensorFlow checks it: CRC-32C and the masked checksums around each record. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { tfRecord } from '../../../tracking/tensorboard-events.ts';

test('CRC-32C matches the standard check value', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa); // RFC 3720 B.4: 32 bytes of zeros
});

test('a record is length, its masked CRC, the data and the data masked CRC', () => {
  const data = Buffer.from('abc');
  const r = tfRecord(data);
  assert.equal(r.length, 8 + 4 + 3 + 4);
  assert.equal(r.readBigUInt64LE(0), 3n);
  assert.deepEqual(r.subarray(12, 15), data);
  const mask = (c: number) => (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
  assert.equal(r.readUInt32LE(8), mask(crc32c(r.subarray(0, 8))));
  assert.equal(r.readUInt32LE(15), mask(crc32c(data)));
});
