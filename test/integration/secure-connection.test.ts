/**
 * Every connection mode against a real TLS endpoint: the dev server (whose `start-dev` has no TLS options) behind a
 * TLS-terminating gRPC proxy with certificates made here. TLS with the server's CA, a server name override, mutual
 * TLS (the proxy verifies the client certificate), an API key (the proxy checks the bearer token the SDK sends),
 * and the refusals: a wrong CA, a missing or untrusted client certificate, a wrong key — each a clear message.
 * A real worker process and the CLI work through it end to end.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { type Client, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { connectClient } from '../../cli/temporal-client.ts';
import { type ConnectionFlags, localServerEnv, temporalConnectConfig } from '../../cli/temporal-connection.ts';
import { ROOT } from '../../infra/paths.mjs';
import { spawnWorker } from '../helpers/processes.ts';
import { type TemporalTestEnv, temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.ts';
import { type CertFiles, makeCa, makeLeaf, pem } from '../helpers/test-certs.ts';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy.ts';

const exec = promisify(execFile);
const BIN = path.join(ROOT, 'bin', 'omni-zero.js');
const API_KEY: string = 'oz-test-key-7f3a';

let env: TemporalTestEnv;
let dir: string;
let ca: CertFiles;
let otherCa: CertFiles;
let client: CertFiles;
let untrustedClient: CertFiles;
let tlsProxy: TlsProxy;
let mtlsProxy: TlsProxy;
let keyProxy: TlsProxy;
let keyFile: string;

before(async () => {
  env = await temporalTestEnv();
  dir = mkdtempSync(path.join(os.tmpdir(), 'oz-tls-'));
  ca = makeCa(dir, 'ca');
  otherCa = makeCa(dir, 'other-ca');
  const server = makeLeaf(dir, ca, 'server', 'server', ['DNS:localhost', 'DNS:temporal.test', 'IP:127.0.0.1']);
  client = makeLeaf(dir, ca, 'client', 'client');
  untrustedClient = makeLeaf(dir, otherCa, 'untrusted-client', 'client');
  const common = { upstream: env.address, cert: pem(server.cert), key: pem(server.key) };
  tlsProxy = await startTlsProxy(common);
  mtlsProxy = await startTlsProxy({ ...common, clientCa: pem(ca.cert) });
  keyProxy = await startTlsProxy({ ...common, apiKey: API_KEY });
  keyFile = path.join(dir, 'api-key');
  writeFileSync(keyFile, `${API_KEY}\n`);
});

after(async () => {
  await Promise.all([tlsProxy?.close(), mtlsProxy?.close(), keyProxy?.close()]);
  await env?.teardown();
});

/** The CLI with none of this machine's `temporal` settings, plus `extra`. */
async function cli(args: string[], extra: Record<string, string> = {}) {
  try {
    const r = await exec(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...localServerEnv(), ...extra },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A client connected with `flags` alone (none of this machine's `temporal` settings), closed after `fn`. */
async function withClient<T>(flags: ConnectionFlags, fn: (c: Client) => Promise<T>): Promise<T> {
  const saved = process.env;
  process.env = localServerEnv();
  try {
    const { client: c, connection } = await connectClient(flags);
    try {
      return await fn(c);
    } finally {
      await connection.close();
    }
  } finally {
    process.env = saved;
  }
}

const listThrough = (flags: ConnectionFlags) => withClient(flags, (c) => c.workflow.count());

const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');

test('TLS: the CLI lists runs through the proxy, verifying it against the given CA (flag or variable)', async () => {
  const before = tlsProxy.forwardedCalls();
  const byFlag = await cli(['ls', '--json', '--address', tlsProxy.address, '--tls-ca', ca.cert]);
  assert.equal(byFlag.code, 0, byFlag.stderr);
  assert.ok(Array.isArray(JSON.parse(byFlag.stdout)));
  const byVariable = await cli(['ls', '--json'], {
    TEMPORAL_ADDRESS: `localhost:${tlsProxy.port}`,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.cert,
  });
  assert.equal(byVariable.code, 0, byVariable.stderr);
  assert.ok(tlsProxy.forwardedCalls() >= before + 2, 'the calls went through the TLS proxy');
});

test('TLS: a server name override is what the certificate is checked against', async () => {
  await listThrough({ address: tlsProxy.address, tlsCa: ca.cert, tlsServerName: 'temporal.test' });
  await assert.rejects(listThrough({ address: tlsProxy.address, tlsCa: ca.cert, tlsServerName: 'elsewhere.test' }), {
    message: /not valid for the name .*set --tls-server-name/,
  });
});

test('a wrong CA is refused, client and worker alike, with what to check and exit 1', async () => {
  const r = await cli(['ls', '--address', tlsProxy.address, '--tls-ca', otherCa.cert]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(`TLS verification of the server at ${tlsProxy.address} failed against the CA in ${otherCa.cert}`)
  );
  assert.match(r.stderr, /check that --tls-ca \(TEMPORAL_TLS_SERVER_CA_CERT_PATH\) is the CA that signed/);
  assert.doesNotMatch(r.stderr, /Warning/, 'one line, no warnings around it');
  noStack(r.stderr);
  const t0 = Date.now();
  const w = await cli(['worker', '--queue', 'cpu', '--address', tlsProxy.address], { TEMPORAL_TLS_CA: otherCa.cert });
  assert.equal(w.code, 1, w.stderr);
  assert.match(w.stderr, /TLS verification of the server at .* failed against the CA in .*other-ca\.crt/);
  assert.doesNotMatch(w.stderr, /retrying/, 'a TLS failure is not waited out');
  assert.ok(Date.now() - t0 < 30_000);
  noStack(w.stderr);
});

test('plain text to the TLS endpoint says to turn TLS on', async () => {
  await assert.rejects(listThrough({ address: tlsProxy.address }), { message: /speaks TLS .*add --tls/ });
});

test('mutual TLS: a client certificate the server trusts gets in; none, or an untrusted one, is refused', async () => {
  const refusedBefore = mtlsProxy.refusedHandshakes();
  await listThrough({ address: mtlsProxy.address, tlsCa: ca.cert, tlsCert: client.cert, tlsKey: client.key });
  await assert.rejects(listThrough({ address: mtlsProxy.address, tlsCa: ca.cert }), {
    message: /requires a client certificate it trusts \(mutual TLS\) and refused the connection without one/,
  });
  await assert.rejects(
    listThrough({
      address: mtlsProxy.address,
      tlsCa: ca.cert,
      tlsCert: untrustedClient.cert,
      tlsKey: untrustedClient.key,
    }),
    { message: /requires a client certificate it trusts \(mutual TLS\) and refused the one given/ }
  );
  assert.ok(mtlsProxy.refusedHandshakes() > refusedBefore, 'the proxy itself refused the handshakes');
});

test('API key: the SDK sends it as a bearer token, client and worker; a wrong key is refused', async () => {
  await listThrough({ address: keyProxy.address, tlsCa: ca.cert, apiKeyFile: keyFile });
  const cfg = temporalConnectConfig(
    { address: keyProxy.address },
    { ...localServerEnv(), TEMPORAL_API_KEY: API_KEY, TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.cert }
  );
  const native = await NativeConnection.connect(cfg.connectionOptions);
  await native.close();
  assert.ok(keyProxy.forwardedCalls() >= 2);
  assert.ok(keyProxy.authorizations.length >= 2);
  assert.ok(
    keyProxy.authorizations.every((a) => a === `Bearer ${API_KEY}`),
    keyProxy.authorizations.join(', ')
  );
  const r = await cli(['ls', '--address', keyProxy.address, '--tls-ca', ca.cert, '--api-key', 'not-the-key']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /refused the credentials \(.*invalid API key\): check the API key/);
  assert.ok(keyProxy.authorizations.includes('Bearer not-the-key'));
  noStack(r.stderr);
});

test('a worker process and the CLI work through mutual TLS end to end', async () => {
  const queue = uniqueTaskQueue('tls-main');
  const queues = { main: queue, gpu: `${queue}-gpu`, cpu: `${queue}-cpu`, io: `${queue}-io` };
  const worker = await spawnWorker({
    roles: ['main'],
    queues,
    address: mtlsProxy.address,
    baseEnv: {
      ...localServerEnv(),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.cert,
      TEMPORAL_TLS_CLIENT_CERT_PATH: client.cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: client.key,
    },
  });
  try {
    assert.match(worker.output(), /worker: polling .* \(namespace default, mutual TLS\)/);
    const flags = [
      '--address',
      mtlsProxy.address,
      '--tls-ca',
      ca.cert,
      '--tls-cert',
      client.cert,
      '--tls-key',
      client.key,
    ];
    // An invalid config: the worker's workflow task validates it and fails the run, so the run's end proves the
    // worker worked through the proxy.
    const workflowId = `${queue}-run`;
    const mtls = { address: mtlsProxy.address, tlsCa: ca.cert, tlsCert: client.cert, tlsKey: client.key };
    await withClient(mtls, async (c) => {
      const handle = await c.workflow.start('experiment', { taskQueue: queue, workflowId, args: [{ config: {} }] });
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.match(String(err.cause?.message), /invalid experiment config/);
        return true;
      });
    });
    const status = await cli(['status', workflowId, ...flags]);
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).workflowStatus, 'FAILED');
  } finally {
    await worker.kill('SIGTERM');
  }
});
