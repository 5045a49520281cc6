/** Which held policy version serves a reference (training/policy-store.ts `holds`): version, hash and use. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type HeldVersion, holds } from '../../../training/policy-store.ts';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const held: HeldVersion = { key: 'policy/step-00000003', step: 3, sha256: SHA_A, trainable: true };
const ref = { key: 'policy/step-00000003', step: 3, sha256: SHA_A };

test('the same key, step and sha256 serve sampling and training', () => {
  assert.equal(holds(held, ref, 'sampling'), true);
  assert.equal(holds(held, ref, 'training'), true);
});

test('another key, step or sha256 is another version', () => {
  assert.equal(holds(held, { ...ref, key: 'policy/step-00000004' }, 'sampling'), false);
  assert.equal(holds(held, { ...ref, step: 4 }, 'sampling'), false);
  assert.equal(holds(held, { ...ref, sha256: SHA_B }, 'sampling'), false);
});

test('a reference without a sha256 matches on key and step alone', () => {
  const { sha256: _, ...noHash } = ref;
  assert.equal(holds(held, noHash, 'training'), true);
  assert.equal(holds({ ...held, sha256: undefined }, noHash, 'training'), true);
  assert.equal(holds({ ...held, sha256: undefined }, ref, 'training'), false, 'a held copy of unknown hash');
});

test('a copy held for sampling only (no optimizer state) serves sampling, never training', () => {
  const weightsOnly = { ...held, trainable: false };
  assert.equal(holds(weightsOnly, ref, 'sampling'), true);
  assert.equal(holds(weightsOnly, ref, 'training'), false);
});
