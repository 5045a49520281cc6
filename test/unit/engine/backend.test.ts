import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../engine/backend.ts';

const root = path.resolve(import.meta.dirname, '../../..');

function installed(pkg: string): boolean {
  try {
    createRequire(path.join(root, 'package.json')).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

test('OMNI_ZERO_BACKEND with an unknown name is refused with the list of backends', async () => {
  await assert.rejects(
    initBackend({ force: 'gpu' }),
    /'gpu' is not a backend: use one of tensorflow-gpu, tensorflow, wasm, cpu/
  );
});

test('a forced backend is used and reported', async () => {
  const info = await initBackend({ force: 'cpu' });
  assert.equal(info.choice, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
});

test('without a choice, the first that loads in order tensorflow-gpu → tensorflow → wasm → cpu', () => {
  const script = `import { initBackend } from './engine/backend.ts';
    const i = await initBackend(); console.log(JSON.stringify({ choice: i.choice, skipped: i.skipped.map((s) => s.choice) }));`;
  const env = { ...process.env };
  delete env.OMNI_ZERO_BACKEND;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr.slice(-500));
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  const expected = installed('@tensorflow/tfjs-node-gpu')
    ? 'tensorflow-gpu'
    : installed('@tensorflow/tfjs-node')
      ? 'tensorflow'
      : 'wasm';
  // A native package can be installed yet fail to load (missing libtensorflow); then it must be skipped, not fatal.
  assert.ok(out.choice === expected || out.skipped.includes(expected), JSON.stringify(out));
  assert.ok(!out.skipped.includes(out.choice));
});
