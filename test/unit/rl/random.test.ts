import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { hashSeed, mulberry32, nameHash, seededRandom } from '../../../rl/random.ts';

// Reference values from the `mmh3` Python package (MurmurHash3_x86_32, seed 0) over the keys packed as
// little-endian int64: mmh3.hash(struct.pack('<%dq' % len(keys), *keys), 0, signed=False).
test('hashSeed matches MurmurHash3_x86_32 of the keys as little-endian int64', () => {
  assert.equal(hashSeed(), 0);
  assert.equal(hashSeed(0), 1669671676);
  assert.equal(hashSeed(1, 2, 3), 836306054);
  assert.equal(hashSeed(-1), 1651860712);
  assert.equal(hashSeed(2 ** 40 + 5, 7), 3760202804); // the high word matters
  assert.equal(hashSeed(42, 0, 0, 0), 3240723598);
});

test('identical keys give identical draws; key order and arity matter', () => {
  assert.equal(seededRandom(7, 12, 3), seededRandom(7, 12, 3));
  assert.equal(seededRandom(7, 12, 3), hashSeed(7, 12, 3) / 2 ** 32);
  assert.notEqual(hashSeed(1, 2), hashSeed(2, 1));
  assert.notEqual(hashSeed(1), hashSeed(1, 0));
  assert.notEqual(hashSeed(1), hashSeed(1 + 2 ** 32));
});

test('keys must be safe integers', () => {
  assert.throws(() => hashSeed(1.5), /keys\[0\]: random keys must be whole numbers/);
  assert.throws(() => hashSeed(1, Number.NaN), /keys\[1\]/);
  assert.throws(() => hashSeed(2 ** 53), /keys\[0\]/);
});

test('mulberry32 reproduces the reference stream (Python port of the original)', () => {
  const a = mulberry32(0);
  assert.deepEqual([a(), a(), a()], [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]);
  const b = mulberry32(12345);
  assert.deepEqual([b(), b(), b()], [0.9797282677609473, 0.3067522644996643, 0.484205421525985]);
});

test('property: draws are in [0, 1)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer(), { maxLength: 5 }), (keys) => {
      const u = seededRandom(...keys);
      assert.ok(u >= 0 && u < 1);
    })
  );
});

test('draws over consecutive keys look uniform (10 bins of 20,000 draws, each within 5% of 2,000)', () => {
  const bins = new Array<number>(10).fill(0);
  for (let i = 0; i < 20_000; i++) bins[Math.floor(seededRandom(99, 0, i) * 10)]++;
  for (const n of bins) assert.ok(Math.abs(n - 2000) < 100, `bin count ${n}`);
});

test('nameHash is 32-bit FNV-1a (the published test vectors)', () => {
  assert.equal(nameHash(''), 0x811c9dc5); // the offset basis
  assert.equal(nameHash('a'), 0xe40c292c);
  assert.equal(nameHash('foobar'), 0xbf9cf968);
});
