import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CodecDecryptError, open, seal } from '../../../encryption/index.ts';

const hex = (s: string) => Buffer.from(s, 'hex');
const key = Buffer.alloc(32, 7);

test('opens a known AES-256-GCM vector (GCM spec test case 14: zero key, zero IV, 16 zero bytes)', () => {
  // nonce ‖ ciphertext ‖ tag, the values of McGrew & Viega's test case 14.
  const sealed = Buffer.concat([
    Buffer.alloc(12),
    hex('cea7403d4d606b6e074ec5d3baf39d18'),
    hex('d0d1c8a799996bf0265b98b5d48ab919'),
  ]);
  assert.deepEqual(Buffer.from(open(sealed, Buffer.alloc(32), 'k')), Buffer.alloc(16));
});

test('seal then open gives the bytes back; the sealed form is nonce + ciphertext + tag and differs each time', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (plain) => {
      const a = seal(plain, key);
      const b = seal(plain, key);
      assert.equal(a.length, 12 + plain.length + 16);
      assert.notDeepEqual(a, b, 'a fresh nonce per seal');
      assert.deepEqual(Buffer.from(open(a, key, 'k')), Buffer.from(plain));
    })
  );
});

test('the plaintext does not appear in the sealed bytes', () => {
  const secret = Buffer.from('omni-zero-secret-7f3a');
  assert.equal(Buffer.from(seal(secret, key)).includes(secret), false);
});

test('any altered byte is rejected', () => {
  const sealed = seal(Buffer.from('a step summary with metrics'), key);
  fc.assert(
    fc.property(fc.nat({ max: sealed.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
      const bad = Buffer.from(sealed);
      bad[at] ^= flip;
      assert.throws(() => open(bad, key, 'k1'), CodecDecryptError);
    })
  );
});

test('another key, or bytes too short to hold a nonce and a tag, are rejected with the key id named', () => {
  const sealed = seal(Buffer.from('x'), key);
  assert.throws(() => open(sealed, Buffer.alloc(32, 8), 'k1'), /codec key 'k1': authentication failed/);
  assert.throws(() => open(sealed.subarray(0, 27), key, 'k1'), /codec key 'k1': 27 bytes is shorter/);
});
