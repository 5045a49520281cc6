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

/** The native backend's reported threads and the process's OS thread count after a matmul, with `env` set. */
function nativeThreads(env: Record<string, string>): { threads?: number; osThreads: number } {
  const script = `import { readFileSync } from 'node:fs';
    import * as tf from '@tensorflow/tfjs';
    import { initBackend } from './engine/backend.ts';
    const i = await initBackend({ force: 'tensorflow' });
    const a = tf.randomNormal([256, 256]); tf.matMul(a, a).dataSync();
    const osThreads = Number(readFileSync('/proc/self/status', 'utf8').match(/Threads:\\s*(\\d+)/)[1]);
    console.log(JSON.stringify({ threads: i.threads, osThreads }));`;
  const clean = { ...process.env };
  for (const k of ['OMNI_ZERO_BACKEND', 'OMNI_ZERO_THREADS', 'TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS'])
    delete clean[k];
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...clean, ...env },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr.slice(-500));
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

test('OMNI_ZERO_THREADS sizes the native backend’s thread pools when it loads', (t) => {
  if (!installed('@tensorflow/tfjs-node') || process.platform !== 'linux') {
    t.skip('needs the native backend and /proc');
    return;
  }
  const one = nativeThreads({ OMNI_ZERO_THREADS: '1' });
  const four = nativeThreads({ OMNI_ZERO_THREADS: '4' });
  assert.equal(one.threads, 1);
  assert.equal(four.threads, 4);
  // Three more intra-op and three more inter-op threads.
  assert.ok(four.osThreads - one.osThreads >= 6, JSON.stringify({ one, four }));
  assert.equal(nativeThreads({}).threads, undefined, 'unset: TensorFlow’s own default, reported as absent');
});

test('OMNI_ZERO_THREADS that is not a whole number ≥ 1 is refused, saying what to set', async () => {
  await assert.rejects(initBackend({ force: 'cpu', threads: 0 }), /whole number ≥ 1 \(got '0'\)/);
  process.env.OMNI_ZERO_THREADS = 'two';
  try {
    await assert.rejects(initBackend({ force: 'cpu' }), /OMNI_ZERO_THREADS \(or --threads\) must be a whole number/);
  } finally {
    delete process.env.OMNI_ZERO_THREADS;
  }
});
