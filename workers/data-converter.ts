/**
 * The one place that decides how payloads are encoded: with codec keys configured (OMNI_ZERO_CODEC_KEYS or
 * OMNI_ZERO_CODEC_KEY_FILE, docs/codec.md) every client and worker encrypts payloads and failure texts; without, the
 * SDK's defaults apply. Clients pass `dataConverter` to `new Client`, workers to `Worker.create`, and the workflow
 * bundle takes the same failure converter path.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { keyRingFromEnv } from '../encryption/index.ts';
import { EncryptionCodec } from './encryption-codec.ts';

const HERE = fileURLToPath(import.meta.url);
/** Same extension as this module: `.ts` run from source, `.js` once built. */
export const ENCODED_FAILURES_PATH = path.join(path.dirname(HERE), `encoded-failures${path.extname(HERE)}`);

/** The codec the environment configures, or null (no keys: payloads stay as the SDK writes them). */
export function codecFromEnv(env: NodeJS.ProcessEnv = process.env): EncryptionCodec | null {
  const ring = keyRingFromEnv(env);
  return ring ? new EncryptionCodec(ring) : null;
}

/** Client and worker data converter for `codec`; undefined (the SDK default) without one. */
export function dataConverterFor(codec: EncryptionCodec | null): DataConverter | undefined {
  return codec ? { payloadCodecs: [codec], failureConverterPath: ENCODED_FAILURES_PATH } : undefined;
}

export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  return dataConverterFor(codecFromEnv(env));
}
