/** Payload encryption without Temporal: AES-256-GCM sealing and the key ring that lets keys rotate. */
export { KEY_BYTES, open, seal } from './aes-gcm.ts';
export { CodecDecryptError, CodecKeyConfigError, UnknownCodecKeyError } from './errors.ts';
export {
  KEY_FILE_VARIABLE,
  KEYS_VARIABLE,
  type KeyRing,
  keyFor,
  keyRingFromEnv,
  keyRingFromFileText,
  keyRingFromList,
} from './key-ring.ts';
