/** Errors of payload encryption, each with a message that says what to fix and never any key material. */

/** The key configuration (environment variable or key file) is malformed. */
export class CodecKeyConfigError extends Error {
  constructor(
    /** `OMNI_ZERO_CODEC_KEYS` or the key file's path, with the entry or line when one is at fault. */
    readonly source: string,
    problem: string
  ) {
    super(`${source}: ${problem}`);
    this.name = 'CodecKeyConfigError';
  }
}

/** A payload names a key id this process does not hold. */
export class UnknownCodecKeyError extends Error {
  constructor(
    readonly keyId: string,
    readonly heldKeyIds: readonly string[],
    keySource: string
  ) {
    super(
      `payload encrypted with codec key '${keyId}', which this process does not hold (it holds: ${heldKeyIds.join(', ')}); ` +
        `add '${keyId}:<base64 key>' to ${keySource}`
    );
    this.name = 'UnknownCodecKeyError';
  }
}

/** Sealed bytes that fail authentication or are too short to be sealed bytes. */
export class CodecDecryptError extends Error {
  constructor(
    readonly keyId: string,
    problem: string
  ) {
    super(`cannot decrypt a payload with codec key '${keyId}': ${problem}`);
    this.name = 'CodecDecryptError';
  }
}
