/**
 * Every CLI command finds the local stack by itself: when the environment (or a `temporal` config profile) names no
 * Temporal server, or no S3 server and credentials, the servers the demo or `omni-zero server start` recorded
 * (infra/stack-record.ts) fill in the variables, if they answer. Variables the user set always win, in full: one S3 variable set means the user chose
 * their S3, and discovery leaves all of S3 alone. When no S3 can be reached, the AWS SDK's "Could not load
 * credentials from any providers" is replaced by what to set or start.
 */
import {
  readS3Record,
  readTemporalRecord,
  S3_RECORD,
  s3Answers,
  s3EnvOf,
  TEMPORAL_RECORD,
} from '../infra/stack-record.ts';
import { canConnect } from '../infra/temporal-dev.ts';
import { cliProfile } from './temporal-connection.ts';

/** Any of these in the environment means the user chose their S3 server or credentials. */
export const S3_CHOICE_VARS = [
  'OMNI_ZERO_S3_ENDPOINT',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_PROFILE',
] as const;

/** What discovery did, for the error message when S3 still fails. */
export interface Discovery {
  /** Address taken from the record, when TEMPORAL_ADDRESS was unset and the recorded server answered. */
  temporal?: string;
  /** Endpoint taken from the record, when no S3 variable was set and the recorded server answered. */
  s3?: string;
  /** A recorded S3 server that did not answer. */
  s3Silent?: string;
}

/** The user named a Temporal server: TEMPORAL_ADDRESS, a `temporal` config profile with an address, or our port. */
function temporalChosen(env: NodeJS.ProcessEnv): boolean {
  if (env.TEMPORAL_ADDRESS !== undefined || env.OMNI_ZERO_TEMPORAL_PORT !== undefined) return true;
  try {
    return cliProfile(env).address !== undefined;
  } catch {
    return true; // a broken config file is reported by the command that connects, not replaced by the local server
  }
}

function hostPort(address: string): { host: string; port: number } | null {
  const m = /^(.+):(\d+)$/.exec(address);
  return m ? { host: m[1], port: Number(m[2]) } : null;
}

/** Fills the unset variables from the recorded local servers that answer; returns what it used. */
export async function useLocalStack(
  env: NodeJS.ProcessEnv = process.env,
  records = { temporal: TEMPORAL_RECORD, s3: S3_RECORD }
): Promise<Discovery> {
  const found: Discovery = {};
  const temporal = readTemporalRecord(records.temporal);
  const hp = temporal && hostPort(temporal.address);
  if (temporal && hp && !temporalChosen(env)) {
    if (await canConnect(hp.port, hp.host)) {
      env.TEMPORAL_ADDRESS = temporal.address;
      env.OMNI_ZERO_TEMPORAL_UI ??= temporal.uiUrl;
      found.temporal = temporal.address;
    }
  }
  const s3 = readS3Record(records.s3);
  if (s3 && S3_CHOICE_VARS.every((k) => env[k] === undefined)) {
    if (await s3Answers(s3.endpoint)) {
      for (const [k, v] of Object.entries(s3EnvOf(s3))) env[k] ??= v;
      found.s3 = s3.endpoint;
    } else found.s3Silent = s3.endpoint;
  }
  return found;
}

/** True for the AWS SDK's failure to find any credentials (possibly wrapped by our own errors). */
export function isMissingCredentials(err: unknown): boolean {
  for (let e = err as { name?: string; message?: string; cause?: unknown } | undefined, i = 0; e && i < 5; i++) {
    if (e.name === 'CredentialsProviderError' || /Could not load credentials from any providers/.test(e.message ?? ''))
      return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** What to set or start when S3 has no credentials. */
export function missingCredentialsMessage(found: Discovery): string {
  const why = found.s3Silent
    ? `the local S3 server recorded in ${S3_RECORD} (${found.s3Silent}) does not answer`
    : `no local S3 server is recorded in ${S3_RECORD}`;
  return (
    `no S3 credentials: ${why}. Start the local stack with 'omni-zero server start' (or 'npm run demo'), ` +
    'or point at your S3 with OMNI_ZERO_S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION ' +
    '(OMNI_ZERO_S3_PATH_STYLE=1 for MinIO-like servers)'
  );
}
