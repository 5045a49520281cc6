/**
 * The codec's keys: `keyId:base64key` entries, the first one current (it encrypts), every one usable to decrypt, so
 * a key can rotate without losing what older keys sealed. Read from `OMNI_ZERO_CODEC_KEYS` (comma-separated) or the
 * file named by `OMNI_ZERO_CODEC_KEY_FILE` (one entry per line, `#` comments and blank lines ignored).
 */
import { readFileSync } from 'node:fs';
import { KEY_BYTES } from './aes-gcm.ts';
import { CodecKeyConfigError, UnknownCodecKeyError } from './errors.ts';

export const KEYS_VARIABLE = 'OMNI_ZERO_CODEC_KEYS';
export const KEY_FILE_VARIABLE = 'OMNI_ZERO_CODEC_KEY_FILE';

/** Ids travel in payload metadata and in error messages: plain, short, no separators. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface KeyRing {
  /** Id of the key that encrypts. */
  readonly currentKeyId: string;
  /** Every key that may decrypt, by id (the current one included). */
  readonly keys: ReadonlyMap<string, Uint8Array>;
  /** Where the keys came from, for error messages: the variable's name or the file's path. */
  readonly source: string;
}

/** One entry: the place it came from (`OMNI_ZERO_CODEC_KEYS entry 2`, `keys.txt line 3`) and its text. */
interface KeyEntry {
  where: string;
  text: string;
}

export function parseKeyEntries(entries: KeyEntry[], source: string): KeyRing {
  if (entries.length === 0) {
    throw new CodecKeyConfigError(source, 'no key given; write at least one keyId:base64key entry (32-byte key)');
  }
  const keys = new Map<string, Uint8Array>();
  for (const { where, text } of entries) {
    const [id, key] = parseEntry(where, text);
    if (keys.has(id)) throw new CodecKeyConfigError(where, `key id '${id}' appears twice; give each key its own id`);
    keys.set(id, key);
  }
  return { currentKeyId: keys.keys().next().value!, keys, source };
}

function parseEntry(where: string, text: string): [string, Uint8Array] {
  const colon = text.indexOf(':');
  if (colon < 0) throw new CodecKeyConfigError(where, 'expected keyId:base64key (no colon found)');
  const id = text.slice(0, colon).trim();
  const encoded = text.slice(colon + 1).trim();
  if (!KEY_ID.test(id)) {
    throw new CodecKeyConfigError(where, `key id '${id}' must be 1-64 characters of A-Z a-z 0-9 . _ -`);
  }
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
    throw new CodecKeyConfigError(
      where,
      `the key of '${id}' is not standard base64 (e.g. from 'openssl rand -base64 32')`
    );
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new CodecKeyConfigError(
      where,
      `the key of '${id}' is ${key.length} bytes; AES-256 needs ${KEY_BYTES} (make one with 'openssl rand -base64 32')`
    );
  }
  return [id, key];
}

/** Parses the variable's value: comma-separated entries. */
export function keyRingFromList(value: string, source = KEYS_VARIABLE): KeyRing {
  const parts = value.split(',').map((text, i) => ({ where: `${source} entry ${i + 1}`, text: text.trim() }));
  if (parts.some((p) => p.text === '')) {
    throw new CodecKeyConfigError(source, 'empty entry; give comma-separated keyId:base64key entries, or unset it');
  }
  return parseKeyEntries(parts, source);
}

/** Parses a key file's text: one entry per line. */
export function keyRingFromFileText(text: string, file: string): KeyRing {
  const entries = text
    .split(/\r?\n/)
    .map((line, i) => ({ where: `${file} line ${i + 1}`, text: line.trim() }))
    .filter((e) => e.text !== '' && !e.text.startsWith('#'));
  return parseKeyEntries(entries, file);
}

/**
 * The key ring the environment configures, or null when neither variable is set (payloads then stay unencrypted).
 * A variable set but empty is an error, not "off": a deployment that meant to encrypt must not silently stop.
 */
export function keyRingFromEnv(env: NodeJS.ProcessEnv = process.env): KeyRing | null {
  const list = env[KEYS_VARIABLE];
  const file = env[KEY_FILE_VARIABLE];
  if (list !== undefined && file !== undefined) {
    throw new CodecKeyConfigError(`${KEYS_VARIABLE} and ${KEY_FILE_VARIABLE}`, 'both are set; set only one');
  }
  if (list !== undefined) return keyRingFromList(list);
  if (file === undefined) return null;
  if (file.trim() === '')
    throw new CodecKeyConfigError(KEY_FILE_VARIABLE, 'is set but empty; give a key file path or unset it');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CodecKeyConfigError(
      `${KEY_FILE_VARIABLE}=${file}`,
      `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`
    );
  }
  return keyRingFromFileText(text, file);
}

/** The key that decrypts what `keyId` sealed; a clear error naming the id when this ring lacks it. */
export function keyFor(ring: KeyRing, keyId: string): Uint8Array {
  const key = ring.keys.get(keyId);
  if (!key) throw new UnknownCodecKeyError(keyId, [...ring.keys.keys()], ring.source);
  return key;
}
