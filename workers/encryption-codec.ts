/**
 * The Temporal side of payload encryption: a PayloadCodec that seals each whole payload (metadata and data) with the
 * current key and marks it `encoding: binary/encrypted` plus `encryption-key-id`, the shape of Temporal's samples, so
 * the server holds only ciphertext and a key id. Decoding picks the key by that id, so any key of the ring decrypts.
 * Codecs run outside the workflow sandbox: clients and workers use it through their data converter.
 */
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec, ValueError } from '@temporalio/common';
import proto from '@temporalio/proto';
import { type KeyRing, keyFor, open, seal, UnknownCodecKeyError } from '../encryption/index.ts';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null | undefined) => (b ? new TextDecoder().decode(b) : undefined);

export class EncryptionCodec implements PayloadCodec {
  private readonly unknownKeyListeners: ((err: UnknownCodecKeyError) => void)[] = [];

  constructor(readonly ring: KeyRing) {}

  /** Called when a payload names a key this process lacks (a worker stops polling rather than fail task after task). */
  onUnknownKey(listener: (err: UnknownCodecKeyError) => void): void {
    this.unknownKeyListeners.push(listener);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.ring.currentKeyId;
    const key = keyFor(this.ring, keyId);
    return payloads.map((payload) => ({
      metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) },
      data: seal(proto.temporal.api.common.v1.Payload.encode(payload).finish(), key),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  /** Payloads that are not encrypted (written before the codec was on) pass through unchanged. */
  private decodeOne(payload: Payload): Payload {
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new ValueError(`an encrypted payload lacks its '${KEY_ID_METADATA}' metadata`);
    let key: Uint8Array;
    try {
      key = keyFor(this.ring, keyId);
    } catch (err) {
      if (err instanceof UnknownCodecKeyError) for (const listener of this.unknownKeyListeners) listener(err);
      throw err;
    }
    return proto.temporal.api.common.v1.Payload.decode(open(payload.data ?? new Uint8Array(), key, keyId));
  }
}
