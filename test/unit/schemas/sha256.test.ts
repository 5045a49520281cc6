/** The pure SHA-256 used inside the workflow sandbox agrees with node:crypto and the FIPS 180-4 vectors. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../../schemas/config-hash.ts';
import { sha256Hex, utf8 } from '../../../schemas/sha256.ts';

test('FIPS 180-4 / NIST vectors', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(
    sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
  );
});

test('padding boundaries (55, 56, 63, 64, 65 bytes) match node:crypto', () => {
  for (const n of [55, 56, 63, 64, 65, 119, 120, 1000]) {
    const text = 'a'.repeat(n);
    assert.equal(sha256Hex(text), createHash('sha256').update(text).digest('hex'), `length ${n}`);
  }
});

test('any unicode string hashes as node:crypto hashes its UTF-8', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
      assert.deepEqual(Buffer.from(utf8(text)), Buffer.from(text, 'utf8'));
      return sha256Hex(text) === createHash('sha256').update(text, 'utf8').digest('hex');
    }),
    { numRuns: 300 }
  );
});

test('lone surrogates encode as U+FFFD like Buffer/TextEncoder', () => {
  for (const text of ['\ud800', 'a\udc00b', '\ud83d'])
    assert.deepEqual(Buffer.from(utf8(text)), Buffer.from(text, 'utf8'));
});

test('canonical JSON sorts keys at every depth and drops undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [1, { z: 0, y: null }], c: undefined } }),
    '{"a":{"d":[1,{"y":null,"z":0}]},"b":1}'
  );
  assert.throws(() => canonicalJson({ x: Number.NaN }), /no JSON form/);
});
