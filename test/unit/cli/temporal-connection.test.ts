import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import {
  type ConnectionFlags,
  localServerEnv,
  temporalConnectConfig,
  withConnectionFlags,
} from '../../../cli/temporal-connection.ts';
import { makeCa, makeLeaf, pem } from '../../helpers/test-certs.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-conn-'));
const ca = makeCa(dir, 'ca');
const client = makeLeaf(dir, ca, 'client', 'client');
/** No config file: the machine's own ~/.config/temporalio must not leak into these tests. */
const NO_FILE = { TEMPORAL_CONFIG_FILE: path.join(dir, 'absent', 'temporal.toml') };
const config = (flags: ConnectionFlags, env: Record<string, string> = {}) =>
  temporalConnectConfig(flags, { ...NO_FILE, ...env });
const tlsOf = (c: ReturnType<typeof config>) => c.connectionOptions.tls as Record<string, unknown>;
const text = (b: unknown) => Buffer.from(b as Uint8Array).toString('utf8');

test('with nothing set: plain text to the local dev server in the default namespace', () => {
  const c = config({});
  assert.deepEqual(c.connectionOptions, {
    address: '127.0.0.1:7233',
    tls: undefined,
    apiKey: undefined,
    metadata: undefined,
  });
  assert.equal(c.namespace, 'default');
  assert.equal(c.security, 'plain text');
  assert.equal(config({}, { OMNI_ZERO_TEMPORAL_PORT: '7999' }).connectionOptions.address, '127.0.0.1:7999');
});

test('flags win over the temporal CLI variables', () => {
  const env = { TEMPORAL_ADDRESS: 'env.example:7233', TEMPORAL_NAMESPACE: 'env-ns' };
  assert.equal(config({}, env).connectionOptions.address, 'env.example:7233');
  assert.equal(config({}, env).namespace, 'env-ns');
  const c = config({ address: 'flag.example:7233', namespace: 'flag-ns' }, env);
  assert.equal(c.connectionOptions.address, 'flag.example:7233');
  assert.equal(c.namespace, 'flag-ns');
});

test('TEMPORAL_TLS=true or --tls: TLS with the system CAs', () => {
  for (const c of [config({}, { TEMPORAL_TLS: 'true' }), config({ tls: true })]) {
    assert.equal(c.security, 'TLS');
    assert.equal(typeof c.connectionOptions.tls, 'object');
    assert.equal(tlsOf(c).serverRootCACertificate, undefined);
  }
});

test('an API key turns TLS on and is sent as given; a key file is read and trimmed', () => {
  const c = config({}, { TEMPORAL_API_KEY: 'k-env' });
  assert.equal(c.connectionOptions.apiKey, 'k-env');
  assert.equal(c.connectionOptions.tls, true);
  assert.equal(c.security, 'TLS with an API key');
  const file = path.join(dir, 'key.txt');
  writeFileSync(file, 'k-file\n');
  assert.equal(config({ apiKeyFile: file }, { TEMPORAL_API_KEY: 'k-env' }).connectionOptions.apiKey, 'k-file');
  assert.equal(config({ apiKey: 'k-flag' }, { TEMPORAL_API_KEY: 'k-env' }).connectionOptions.apiKey, 'k-flag');
});

test('mutual TLS from the flags: CA, client pair and server name, read from their files', () => {
  const c = config({ tlsCa: ca.cert, tlsCert: client.cert, tlsKey: client.key, tlsServerName: 'temporal.test' });
  const t = tlsOf(c);
  assert.equal(text(t.serverRootCACertificate), pem(ca.cert));
  const pair = t.clientCertPair as { crt: Uint8Array; key: Uint8Array };
  assert.equal(text(pair.crt), pem(client.cert));
  assert.equal(text(pair.key), pem(client.key));
  assert.equal(t.serverNameOverride, 'temporal.test');
  assert.equal(c.security, 'mutual TLS');
  assert.equal(c.caFile, ca.cert);
});

test("the temporal CLI's variables, and the older TEMPORAL_TLS_CERT/KEY/CA names, set the same", () => {
  const current = config(
    {},
    {
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.cert,
      TEMPORAL_TLS_CLIENT_CERT_PATH: client.cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: client.key,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
    }
  );
  const older = config(
    {},
    {
      TEMPORAL_TLS_CA: ca.cert,
      TEMPORAL_TLS_CERT: client.cert,
      TEMPORAL_TLS_KEY: client.key,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
    }
  );
  assert.equal(current.security, 'mutual TLS');
  assert.deepEqual(older.connectionOptions, current.connectionOptions);
  // The current name wins over the older one.
  const both = config({}, { TEMPORAL_TLS_CA: client.cert, TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.cert });
  assert.equal(text(tlsOf(both).serverRootCACertificate), pem(ca.cert));
});

test('a certificate without its key (or a key without its certificate) says what to set', () => {
  assert.throws(
    () => config({ tlsCert: client.cert }),
    /no client key; give --tls-key FILE \(or set TEMPORAL_TLS_CLIENT_KEY_PATH\)/
  );
  assert.throws(
    () => config({}, { TEMPORAL_TLS_CLIENT_KEY_PATH: client.key }),
    /no client certificate; give --tls-cert FILE \(or set TEMPORAL_TLS_CLIENT_CERT_PATH\)/
  );
});

test('an unreadable or non-PEM file is named', () => {
  const missing = path.join(dir, 'nope.crt');
  assert.throws(
    () => config({ tlsCa: missing }),
    new RegExp(
      `cannot read the server CA certificate file ${missing} \\(--tls-ca, TEMPORAL_TLS_SERVER_CA_CERT_PATH\\): no such file`
    )
  );
  const notPem = path.join(dir, 'not.pem');
  writeFileSync(notPem, 'hello');
  assert.throws(
    () => config({ tlsCa: notPem }),
    new RegExp(`file ${notPem} \\(--tls-ca, TEMPORAL_TLS_SERVER_CA_CERT_PATH\\) is not PEM`)
  );
  assert.throws(
    () => config({ apiKeyFile: missing }),
    new RegExp(`cannot read the API key file ${missing} \\(--api-key-file\\): no such file`)
  );
  const empty = path.join(dir, 'empty.key');
  writeFileSync(empty, '\n');
  assert.throws(() => config({ apiKeyFile: empty }), /API key file .* is empty/);
  assert.throws(() => config({ apiKey: 'a', apiKeyFile: empty }), /--api-key or --api-key-file, not both/);
});

test("a profile of the temporal CLI's config file, chosen by TEMPORAL_PROFILE, under the variables and flags", () => {
  const file = path.join(dir, 'temporal.toml');
  writeFileSync(
    file,
    [
      '[profile.cloud]',
      'address = "ns.acct.tmprl.cloud:7233"',
      'namespace = "ns.acct"',
      'api_key = "k-profile"',
      '[profile.cloud.tls]',
      `server_ca_cert_path = "${ca.cert}"`,
    ].join('\n')
  );
  const env = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' };
  const c = temporalConnectConfig({}, env);
  assert.equal(c.connectionOptions.address, 'ns.acct.tmprl.cloud:7233');
  assert.equal(c.namespace, 'ns.acct');
  assert.equal(c.connectionOptions.apiKey, 'k-profile');
  assert.equal(text(tlsOf(c).serverRootCACertificate), pem(ca.cert));
  assert.equal(temporalConnectConfig({}, { ...env, TEMPORAL_NAMESPACE: 'other' }).namespace, 'other');
  assert.equal(temporalConnectConfig({ namespace: 'flag' }, { ...env, TEMPORAL_NAMESPACE: 'other' }).namespace, 'flag');
  assert.throws(
    () => temporalConnectConfig({}, { ...env, TEMPORAL_PROFILE: 'nope' }),
    /Temporal config file .*Profile 'nope' not found/
  );
});

test('the local-server environment ignores every temporal setting', () => {
  const user = { TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'true', TEMPORAL_ADDRESS: 'cloud:7233', HOME: '/root' };
  const env = localServerEnv(user);
  assert.equal(env.HOME, '/root');
  assert.equal(config({}, user).security, 'TLS with an API key');
  const c = temporalConnectConfig({ address: '127.0.0.1:7233' }, env);
  assert.equal(c.security, 'plain text');
  assert.equal(c.connectionOptions.apiKey, undefined);
});

test('the flags parse into the names temporalConnectConfig reads', () => {
  let seen: ConnectionFlags = {};
  const cmd = withConnectionFlags(new Command('x').exitOverride()).action((o: ConnectionFlags) => {
    seen = o;
  });
  cmd.parse(
    [
      '--tls',
      '--tls-ca',
      'a',
      '--tls-cert',
      'b',
      '--tls-key',
      'c',
      '--tls-server-name',
      'd',
      '--api-key-file',
      'e',
      '--namespace',
      'f',
      '--address',
      'g',
    ],
    { from: 'user' }
  );
  assert.deepEqual(seen, {
    tls: true,
    tlsCa: 'a',
    tlsCert: 'b',
    tlsKey: 'c',
    tlsServerName: 'd',
    apiKeyFile: 'e',
    namespace: 'f',
    address: 'g',
  });
});
