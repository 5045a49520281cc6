/**
 * `omni-zero codec-server` as a person runs it: keys from the environment or a key file, the URL on stdout, the
 * protocol answered, SIGTERM a clean exit; a malformed key or a missing one an exit 1 with one line saying what to fix.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../infra/paths.mjs';

const BIN = path.join(ROOT, 'bin', 'omni-zero.js');
const exec = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-codec-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** This environment without any codec setting, plus `extra`. */
function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OMNI_ZERO_CODEC_KEYS;
  delete env.OMNI_ZERO_CODEC_KEY_FILE;
  return { ...env, ...extra };
}

async function failing(args: string[], extra: Record<string, string>) {
  const err = await exec(process.execPath, [BIN, ...args], { env: envWith(extra) }).then(
    () => assert.fail('expected exit 1'),
    (e: { code: number; stderr: string }) => e
  );
  return err;
}

test('serves encode and decode with the key file given, and stops cleanly on SIGTERM', {
  timeout: 120_000,
}, async () => {
  const file = path.join(dir, 'keys');
  writeFileSync(
    file,
    `# current first\nk2:${Buffer.alloc(32, 2).toString('base64')}\nk1:${Buffer.alloc(32, 1).toString('base64')}\n`
  );
  const child = spawn(process.execPath, [BIN, 'codec-server', '--port', '0'], {
    env: envWith({ OMNI_ZERO_CODEC_KEY_FILE: file }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (b: Buffer) => resolve(b.toString().trim()));
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(stderr, /keys k2, k1; current k2/);
  const json = {
    metadata: { encoding: Buffer.from('json/plain').toString('base64') },
    data: Buffer.from('"hi"').toString('base64'),
  };
  const call = async (action: string, payloads: unknown[]) => {
    const res = await fetch(`${url}/${action}`, { method: 'POST', body: JSON.stringify({ payloads }) });
    assert.equal(res.status, 200);
    return ((await res.json()) as { payloads: { metadata: Record<string, string> }[] }).payloads;
  };
  const sealed = await call('encode', [json]);
  assert.equal(Buffer.from(sealed[0].metadata['encryption-key-id'], 'base64').toString(), 'k2');
  assert.deepEqual(await call('decode', sealed), [json]);
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('a malformed or missing key: exit 1, one line naming what to fix, no stack trace', {
  timeout: 120_000,
}, async () => {
  const short = await failing(['codec-server'], { OMNI_ZERO_CODEC_KEYS: `k1:${Buffer.alloc(16).toString('base64')}` });
  assert.equal(short.code, 1);
  assert.equal(
    short.stderr.trim(),
    "omni-zero: OMNI_ZERO_CODEC_KEYS entry 1: the key of 'k1' is 16 bytes; AES-256 needs 32 (make one with 'openssl rand -base64 32')"
  );
  const none = await failing(['codec-server'], {});
  assert.equal(none.code, 1);
  assert.equal(
    none.stderr.trim(),
    'omni-zero: no codec keys: set OMNI_ZERO_CODEC_KEYS or OMNI_ZERO_CODEC_KEY_FILE (docs/codec.md)'
  );
  // The worker refuses the same key before it connects anywhere (no server runs on this address).
  const worker = await failing(['worker', '--queue', 'main', '--address', '127.0.0.1:1'], {
    OMNI_ZERO_CODEC_KEYS: 'k1:AAAA',
  });
  assert.equal(worker.code, 1);
  assert.match(worker.stderr, /^omni-zero: OMNI_ZERO_CODEC_KEYS entry 1: the key of 'k1' is 3 bytes/m);
  assert.doesNotMatch(worker.stderr, /unreachable|\n\s+at /);
});
