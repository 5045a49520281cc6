import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  CodecKeyConfigError,
  keyFor,
  keyRingFromEnv,
  keyRingFromFileText,
  keyRingFromList,
  UnknownCodecKeyError,
} from '../../../encryption/index.ts';

const K1 = Buffer.alloc(32, 1).toString('base64');
const K2 = Buffer.alloc(32, 2).toString('base64');

test('the first entry is the current key; every entry decrypts', () => {
  const ring = keyRingFromList(`new:${K2}, old:${K1}`);
  assert.equal(ring.currentKeyId, 'new');
  assert.deepEqual([...ring.keys.keys()], ['new', 'old']);
  assert.deepEqual(Buffer.from(keyFor(ring, 'old')), Buffer.alloc(32, 1));
  assert.equal(ring.source, 'OMNI_ZERO_CODEC_KEYS');
});

test('a key file: one entry per line, comments and blank lines ignored', () => {
  const ring = keyRingFromFileText(`# rotated 2026-12\n\nnew:${K2}\r\nold:${K1}\n`, '/etc/oz/keys');
  assert.equal(ring.currentKeyId, 'new');
  assert.equal(ring.keys.size, 2);
});

test('malformed keys: an error naming the variable and entry and what to fix, never the key itself', () => {
  const short = Buffer.alloc(16, 3).toString('base64');
  const cases: [string, RegExp][] = [
    [`k1:${short}`, /OMNI_ZERO_CODEC_KEYS entry 1: the key of 'k1' is 16 bytes; AES-256 needs 32/],
    [`k1:${K1},k2:not base64!`, /OMNI_ZERO_CODEC_KEYS entry 2: the key of 'k2' is not standard base64/],
    [`k1:${K1},k1:${K2}`, /entry 2: key id 'k1' appears twice/],
    [K1, /entry 1: expected keyId:base64key/],
    [`bad id:${K1}`, /key id 'bad id' must be 1-64 characters/],
    [`k1:${K1},`, /OMNI_ZERO_CODEC_KEYS: empty entry/],
    ['', /OMNI_ZERO_CODEC_KEYS: empty entry/],
  ];
  for (const [value, message] of cases) {
    const err = (() => {
      try {
        keyRingFromList(value);
      } catch (e) {
        return e as Error;
      }
      assert.fail(`accepted '${value}'`);
    })();
    assert.ok(err instanceof CodecKeyConfigError, String(err));
    assert.match(err.message, message);
    assert.equal(err.message.includes(K1) || err.message.includes(short), false, 'no key material in the message');
  }
});

test('a key file with a bad line names the file and the line', () => {
  assert.throws(
    () => keyRingFromFileText(`# c\nk1:${K1}\nk2:abc=\n`, '/etc/oz/keys'),
    /\/etc\/oz\/keys line 3: the key of 'k2'/
  );
  assert.throws(() => keyRingFromFileText('# only a comment\n', '/etc/oz/keys'), /\/etc\/oz\/keys: no key given/);
});

test('from the environment: off when unset, the list or the file when set, an error for both or an unreadable file', () => {
  assert.equal(keyRingFromEnv({}), null);
  assert.equal(keyRingFromEnv({ OMNI_ZERO_CODEC_KEYS: `a:${K1}` })?.currentKeyId, 'a');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-keys-'));
  const file = path.join(dir, 'keys');
  writeFileSync(file, `b:${K2}\n`);
  const fromFile = keyRingFromEnv({ OMNI_ZERO_CODEC_KEY_FILE: file });
  assert.equal(fromFile?.currentKeyId, 'b');
  assert.equal(fromFile?.source, file);
  assert.throws(
    () => keyRingFromEnv({ OMNI_ZERO_CODEC_KEYS: `a:${K1}`, OMNI_ZERO_CODEC_KEY_FILE: file }),
    /both are set; set only one/
  );
  assert.throws(
    () => keyRingFromEnv({ OMNI_ZERO_CODEC_KEY_FILE: path.join(dir, 'missing') }),
    /OMNI_ZERO_CODEC_KEY_FILE=.*missing: cannot read it \(ENOENT\)/
  );
  assert.throws(() => keyRingFromEnv({ OMNI_ZERO_CODEC_KEY_FILE: ' ' }), /is set but empty/);
});

test('a key id the ring lacks: an error naming it, the ids held and where to add it', () => {
  const ring = keyRingFromList(`k2:${K2}`);
  assert.throws(
    () => keyFor(ring, 'k1'),
    (err: unknown) =>
      err instanceof UnknownCodecKeyError &&
      err.keyId === 'k1' &&
      /codec key 'k1', which this process does not hold \(it holds: k2\); add 'k1:<base64 key>' to OMNI_ZERO_CODEC_KEYS/.test(
        err.message
      )
  );
});
