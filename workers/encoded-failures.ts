/**
 * The failure converter used when payloads are encrypted: error messages and stack traces travel as an encoded
 * payload (so the codec encrypts them) instead of clear text. Loaded by path, inside the workflow sandbox (bundled)
 * and outside it (clients, activity results), as the SDK requires of failure converters.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
