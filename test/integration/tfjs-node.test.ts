/**
 * The native TensorFlow backend built by infra/tfjs-node/build.mjs: it loads into the project's one tfjs-core, computes
 * what hand arithmetic says, and agrees with the wasm backend (the engine's fallback) on matmuls and gradients.
 * Skipped, with the reason, where setup could not build it (see docs/native-backend.md).
 */

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { ROOT } from '../../infra/paths.mjs';
import { loadTfjsNode, TENSORFLOW_CPU, tfjsNodeStatus, tfjsNodeSupported } from '../../infra/tfjs-node/locate.mjs';
import { pythonSymbolsReferencedBy } from '../../infra/tfjs-node/pyshim.mjs';

const status = tfjsNodeStatus();
const skip = status.state === 'built' ? false : `native backend ${status.state}: ${status.reason}`;

/** Runs `fn` on the named backend and returns its result's values. */
async function on(backend: 'tensorflow' | 'wasm', fn: () => tf.Tensor): Promise<Float32Array> {
  assert.equal(await tf.setBackend(backend), true, `backend ${backend} did not start`);
  const out = tf.tidy(fn);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

/** Deterministic values in [-1, 1) from a seed (an LCG: the test's inputs must not depend on either backend's RNG). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function assertClose(actual: Float32Array, expected: Float32Array, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (err > tol * (1 + Math.abs(expected[i]))) {
      assert.fail(`${what}[${i}]: tensorflow ${actual[i]} vs wasm ${expected[i]} (|diff| ${err})`);
    }
  }
}

describe('native TensorFlow backend (tfjs-node on the tensorflow-cpu wheel)', { skip }, () => {
  before(async () => {
    await loadTfjsNode();
  });

  test('registers as `tensorflow` in the project tfjs-core, running the pinned TensorFlow', async () => {
    assert.equal(await tf.setBackend('tensorflow'), true);
    assert.equal(tf.getBackend(), 'tensorflow');
    const binding = (tf.backend() as unknown as { binding: { TF_Version: string } }).binding;
    assert.equal(binding.TF_Version, TENSORFLOW_CPU.version);
  });

  test('the engine’s plain import("@tensorflow/tfjs-node") reaches the same build', async () => {
    const resolved = realpathSync(
      path.dirname(path.dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-node'))))
    );
    assert.equal(resolved, realpathSync(status.packageDir));
  });

  test('matmul gives the hand-computed product', async () => {
    // [[1,2],[3,4]]·[[5,6],[7,8]] = [[1·5+2·7, 1·6+2·8], [3·5+4·7, 3·6+4·8]] = [[19,22],[43,50]]
    const got = await on('tensorflow', () =>
      tf.matMul(
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
        tf.tensor2d([
          [5, 6],
          [7, 8],
        ])
      )
    );
    assert.deepEqual(Array.from(got), [19, 22, 43, 50]);
  });

  test('topk runs on Node ≥ 23 (its util.isNullOrUndefined calls are patched) and picks the largest', async () => {
    // [3, 1, 4, 1, 5, 9, 2, 6]: the three largest are 9 (index 5), 6 (index 7), 5 (index 4).
    const input = () => tf.tensor1d([3, 1, 4, 1, 5, 9, 2, 6]);
    assert.deepEqual(Array.from(await on('tensorflow', () => tf.topk(input(), 3).values)), [9, 6, 5]);
    assert.deepEqual(Array.from(await on('tensorflow', () => tf.topk(input(), 3).indices)), [5, 7, 4]);
    // k omitted: the build's patched default is 1, as upstream's.
    assert.deepEqual(Array.from(await on('tensorflow', () => tf.topk(input()).values)), [9]);
  });

  test('the gradient of (x·w)² is 2(x·w)xᵀ', async () => {
    // x = [1, 2], w = [3, 4]ᵀ: x·w = 1·3 + 2·4 = 11, so d/dw (x·w)² = 2·11·[1, 2]ᵀ = [22, 44]ᵀ
    const x = tf.tensor2d([[1, 2]]);
    const got = await on('tensorflow', () =>
      tf.grad((w: tf.Tensor) =>
        tf
          .matMul(x, w as tf.Tensor2D)
          .square()
          .sum()
      )(tf.tensor2d([[3], [4]]))
    );
    assert.deepEqual(Array.from(got), [22, 44]);
  });

  test('matmul agrees with wasm on random shapes and transpose flags', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 1, max: 96 }),
        fc.integer({ min: 1, max: 48 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (m, k, n, ta, tb, seed) => {
          const a = () => tf.tensor2d(values(m * k, seed), ta ? [k, m] : [m, k]);
          const b = () => tf.tensor2d(values(k * n, seed + 1), tb ? [n, k] : [k, n]);
          const native = await on('tensorflow', () => tf.matMul(a(), b(), ta, tb));
          const wasm = await on('wasm', () => tf.matMul(a(), b(), ta, tb));
          // Sums of k products of values in [-1,1): float32 reordering error grows with k, far below 1e-4 here.
          assertClose(native, wasm, 1e-4, `[${m}×${k}]·[${k}×${n}] ta=${ta} tb=${tb}`);
        }
      ),
      { numRuns: 40, seed: 20261122 }
    );
  });

  test('gradients of a two-layer softmax classifier agree with wasm', async () => {
    const [B, D, H, C] = [16, 32, 64, 10];
    const x = values(B * D, 1);
    const labels = Array.from({ length: B }, (_, i) => (i * 7) % C);
    const w1 = values(D * H, 2).map((v) => v * 0.3);
    const w2 = values(H * C, 3).map((v) => v * 0.3);
    const grads = (backend: 'tensorflow' | 'wasm') =>
      Promise.all(
        [0, 1].map((which) =>
          on(backend, () => {
            const loss = (a: tf.Tensor, b: tf.Tensor) =>
              tf.losses.softmaxCrossEntropy(
                tf.oneHot(tf.tensor1d(labels, 'int32'), C),
                tf.matMul(tf.relu(tf.matMul(tf.tensor2d(x, [B, D]), a as tf.Tensor2D)), b as tf.Tensor2D)
              );
            return tf.grads(loss)([tf.tensor2d(w1, [D, H]), tf.tensor2d(w2, [H, C])])[which];
          })
        )
      );
    const native = await grads('tensorflow');
    const wasm = await grads('wasm');
    assertClose(native[0], wasm[0], 1e-5, 'dL/dW1');
    assertClose(native[1], wasm[1], 1e-5, 'dL/dW2');
    // The loss is not flat at this point, so agreement is not agreement on zeros.
    assert.ok(native[1].some((g) => Math.abs(g) > 1e-3));
  });

  test('the CPython stub defines every Python symbol the TensorFlow library references', () => {
    const lib = path.join(status.packageDir, 'deps', 'lib');
    const wanted = pythonSymbolsReferencedBy(path.join(lib, '_pywrap_tensorflow_internal.so'));
    assert.ok(wanted.includes('PyBaseObject_Type'), 'the 2.9.1 library references PyBaseObject_Type');
    const defined = new Set(
      execFileSync('nm', ['-D', '--defined-only', path.join(lib, 'libomnizero_pyshim.so')], { encoding: 'utf8' })
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[2])
    );
    assert.deepEqual(
      wanted.filter((s) => !defined.has(s)),
      []
    );
  });
});

/** `node infra/setup.mjs --only=tfjs-node` with extra environment; returns exit code, stderr and wall time. */
function setupStep(env: Record<string, string>): { status: number | null; stderr: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['infra/setup.mjs', '--only=tfjs-node'], {
    cwd: ROOT,
    env: { ...process.env, OMNI_ZERO_TFJS_NODE: '', OMNI_ZERO_TFJS_NODE_REBUILD: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stderr: r.stderr, ms: performance.now() - t0 };
}

describe('the setup step for the native backend', { skip: !tfjsNodeSupported() && 'linux-x64 only' }, () => {
  test('a failed build logs one line, exits 0, and is not retried on the next run', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-tfjs-node-'));
    try {
      // A package index on a closed port: pip fails fast, like a machine without PyPI.
      const env = {
        OMNI_ZERO_HOME: home,
        // An empty tool cache too: the shared one may hold the wheel already, and then nothing would fail.
        OMNI_ZERO_CACHE: path.join(home, 'cache'),
        PIP_INDEX_URL: 'http://127.0.0.1:9/simple',
        PIP_RETRIES: '0',
        PIP_TIMEOUT: '2',
      };
      const first = setupStep(env);
      assert.equal(first.status, 0, first.stderr);
      const failures = first.stderr.split('\n').filter((l) => l.includes('native TensorFlow backend not built'));
      assert.equal(failures.length, 1, first.stderr);
      assert.match(failures[0], /pip download tensorflow-cpu failed.*using wasm/);
      const recorded = JSON.parse(readFileSync(path.join(home, 'tfjs-node-failed.json'), 'utf8'));
      assert.match(recorded.reason, /pip download/);
      const second = setupStep(env);
      assert.equal(second.status, 0, second.stderr);
      assert.match(second.stderr, /unavailable \(pip download tensorflow-cpu failed.*OMNI_ZERO_TFJS_NODE_REBUILD=1/);
      assert.doesNotMatch(second.stderr, /downloading/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('when already built the step only checks, in well under a second of its own', { skip }, () => {
    const r = setupStep({});
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr.trim(), '[setup] ready');
    // Node start-up plus setup's module loading is most of this; a rebuild would take over a minute.
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
  });
});
