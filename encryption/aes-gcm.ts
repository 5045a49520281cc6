/**
 * AES-256-GCM sealing of byte strings. The layout is nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes), as in
 * Temporal's encryption samples for Go, Python and TypeScript, so their codec servers can read our payloads and ours
 * theirs given the same key.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CodecDecryptError } from './errors.ts';

export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const CIPHER = 'aes-256-gcm';

/** A fresh random nonce per call: with 96-bit nonces, 2^32 messages per key keep a collision below 2^-32 (NIST SP 800-38D §8.3). */
export function seal(plaintext: Uint8Array, key: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Throws {@link CodecDecryptError} when the bytes were altered, truncated, or sealed with another key. */
export function open(sealed: Uint8Array, key: Uint8Array, keyId: string): Uint8Array {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw new CodecDecryptError(keyId, `${sealed.length} bytes is shorter than a nonce and a tag`);
  }
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new CodecDecryptError(keyId, 'authentication failed: the bytes were altered or sealed with another key');
  }
}
