/**
 * Which variables the recorded local stack fills in (cli/local-stack.ts), against a real S3 server and a real
 * Temporal dev server: all of them in an empty environment; none of S3's once the user named an endpoint, a key or a
 * profile; only the unset ones otherwise; nothing from a recorded server that does not answer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  isMissingCredentials,
  missingCredentialsMessage,
  S3_CHOICE_VARS,
  useLocalStack,
} from '../../cli/local-stack.ts';
import { s3EnvOf, writeRecord } from '../../infra/stack-record.ts';
import { type DevServer, freePort, startDevServer } from '../../infra/temporal-dev.ts';
import { s3Endpoint, stopOwnS3 } from '../helpers/s3.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-discovery-'));
const records = { temporal: path.join(dir, 'temporal.json'), s3: path.join(dir, 's3.json') };
const keys = { region: 'us-east-1', accessKeyId: 'omnizero', secretAccessKey: 'omnizero-local-secret' };
/** The test runner's dev server, or one of this file's own when it runs alone. */
let own: DevServer | undefined;
const temporal = { address: process.env.TEMPORAL_ADDRESS ?? '' };

before(async () => {
  if (!temporal.address) {
    own = await startDevServer({ dbFile: path.join(dir, 'temporal.sqlite'), uiPort: false });
    temporal.address = own.address;
  }
  writeRecord(records.temporal, { address: temporal.address, uiUrl: 'http://127.0.0.1:1' });
  writeRecord(records.s3, { endpoint: await s3Endpoint(), ...keys });
});
after(async () => {
  await own?.stop();
  await stopOwnS3();
});

test('an empty environment gets every variable of both recorded servers', async () => {
  const env: NodeJS.ProcessEnv = {};
  const found = await useLocalStack(env, records);
  const endpoint = await s3Endpoint();
  assert.deepEqual(found, { temporal: temporal.address, s3: endpoint });
  assert.deepEqual(env, {
    TEMPORAL_ADDRESS: temporal.address,
    OMNI_ZERO_TEMPORAL_UI: 'http://127.0.0.1:1',
    ...s3EnvOf({ endpoint, ...keys }),
  });
});

test('any S3 variable the user set leaves all of S3 alone; the Temporal ones are independent', async () => {
  for (const k of S3_CHOICE_VARS) {
    const env: NodeJS.ProcessEnv = { [k]: 'mine' };
    const found = await useLocalStack(env, records);
    assert.equal(found.s3, undefined, k);
    assert.deepEqual(Object.keys(env).sort(), [k, 'OMNI_ZERO_TEMPORAL_UI', 'TEMPORAL_ADDRESS'].sort(), k);
  }
  for (const k of ['TEMPORAL_ADDRESS', 'OMNI_ZERO_TEMPORAL_PORT']) {
    const env: NodeJS.ProcessEnv = { [k]: '9' };
    assert.equal((await useLocalStack(env, records)).temporal, undefined, k);
    assert.equal(env[k], '9');
    assert.equal(env.OMNI_ZERO_TEMPORAL_UI, undefined);
  }
});

test('a temporal CLI profile that names an address keeps Temporal discovery out; one that names none does not', async () => {
  const file = path.join(dir, 'temporal.toml');
  writeFileSync(file, '[profile.cloud]\naddress = "ns.acct.tmprl.cloud:7233"\n[profile.bare]\nnamespace = "x"\n');
  const chosen: NodeJS.ProcessEnv = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' };
  assert.equal((await useLocalStack(chosen, records)).temporal, undefined);
  assert.equal(chosen.TEMPORAL_ADDRESS, undefined);
  const bare: NodeJS.ProcessEnv = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'bare' };
  assert.equal((await useLocalStack(bare, records)).temporal, temporal.address);
  assert.equal(bare.TEMPORAL_ADDRESS, temporal.address);
});

test('a region or UI the user set is kept while the rest is filled in', async () => {
  const env: NodeJS.ProcessEnv = { AWS_REGION: 'eu-west-1', OMNI_ZERO_TEMPORAL_UI: 'http://ui' };
  await useLocalStack(env, records);
  assert.equal(env.AWS_REGION, 'eu-west-1');
  assert.equal(env.OMNI_ZERO_TEMPORAL_UI, 'http://ui');
  assert.equal(env.AWS_ACCESS_KEY_ID, 'omnizero');
});

test('recorded servers that do not answer are not used, and the error says so', async () => {
  const port = await freePort();
  const silent = { temporal: path.join(dir, 't2.json'), s3: path.join(dir, 's2.json') };
  writeRecord(silent.temporal, { address: `127.0.0.1:${port}`, uiUrl: 'http://127.0.0.1:1' });
  writeRecord(silent.s3, { endpoint: `http://127.0.0.1:${port}`, ...keys });
  const env: NodeJS.ProcessEnv = {};
  const found = await useLocalStack(env, silent);
  assert.deepEqual(env, {});
  assert.deepEqual(found, { s3Silent: `http://127.0.0.1:${port}` });
  assert.match(missingCredentialsMessage(found), new RegExp(`\\(http://127.0.0.1:${port}\\) does not answer`));
  assert.deepEqual(
    await useLocalStack({}, { temporal: path.join(dir, 'none.json'), s3: path.join(dir, 'none.json') }),
    {}
  );
});

test("the AWS SDK's missing-credentials error is recognised, also when wrapped", () => {
  const sdk = Object.assign(new Error('Could not load credentials from any providers'), {
    name: 'CredentialsProviderError',
  });
  assert.ok(isMissingCredentials(sdk));
  assert.ok(isMissingCredentials(new Error('listing failed', { cause: sdk })));
  assert.ok(!isMissingCredentials(new Error('Access Denied')));
});
