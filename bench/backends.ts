/**
 * `npm run bench -- backends`: the same kernels on each TensorFlow.js backend in one process, interleaved round by round
 * so that load from other processes hits every backend alike. Reports matmul GFLOP/s for shapes the engine uses, the
 * cost of one tiny op (per-op overhead dominates KV-cache sampling: tfjs-probe §3), and one MLP forward+backward, with
 * the native backend's speedup over wasm. Medians over rounds.
 * Options: `--rounds N` (default 5), `--min-ms M` (time per measurement, default 150).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadTfjsNode, TENSORFLOW_CPU, tfjsNodeStatus } from '../infra/tfjs-node/locate.mjs';
import { machineInfo } from './machine.ts';

type Backend = 'tensorflow' | 'wasm' | 'cpu';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
const ROUNDS = flag('rounds', 5);
const MIN_MS = flag('min-ms', 150);

function randomArray(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

interface Case {
  name: string;
  /** Floating-point operations per call (for GFLOP/s); undefined for latency cases. */
  flops?: number;
  /** Backends too slow to be worth the wait on this case. */
  skip?: Backend[];
  /** Builds inputs on the current backend and returns one call, which must read its result back (a sync point). */
  setup: () => { run: () => void; dispose: () => void };
}

function matmulCase(m: number, k: number, n: number, note: string, skip?: Backend[]): Case {
  return {
    name: `matmul ${m}x${k}@${k}x${n} (${note})`,
    flops: 2 * m * k * n,
    skip,
    setup: () => {
      const a = tf.tensor2d(randomArray(m * k, 1), [m, k]);
      const b = tf.tensor2d(randomArray(k * n, 2), [k, n]);
      return {
        run: () => {
          const c = tf.matMul(a, b);
          c.dataSync();
          c.dispose();
        },
        dispose: () => tf.dispose([a, b]),
      };
    },
  };
}

const OPS_PER_CHAIN = 100;
/** 100 dependent adds on [64×128] (64 sampled rows × d_model 128), read back once: per-op overhead, not FLOPs. */
const tinyOps: Case = {
  name: `add 64x128, ${OPS_PER_CHAIN} chained ops`,
  setup: () => {
    const x = tf.tensor2d(randomArray(64 * 128, 3), [64, 128]);
    const y = tf.tensor2d(randomArray(64 * 128, 4), [64, 128]);
    return {
      run: () => {
        const out = tf.tidy(() => {
          let z: tf.Tensor = x;
          for (let i = 0; i < OPS_PER_CHAIN; i++) z = tf.add(z, y);
          return z;
        });
        out.dataSync();
        out.dispose();
      },
      dispose: () => tf.dispose([x, y]),
    };
  },
};

/**
 * A matmul whose gradient materialises the transposes: the probe measured wasm's transposeA/B matmul 10–25× slower than
 * an explicit tf.transpose plus a plain matmul (tfjs-probe "What failed" §1), so an engine on wasm uses this form.
 */
const matMulExplicitT = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = inputs as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => [
      tf.matMul(dy, tf.transpose(saved[1] as tf.Tensor2D)),
      tf.matMul(tf.transpose(saved[0] as tf.Tensor2D), dy),
    ],
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/**
 * One training step's worth of an MLP block at the probe's size: 64 sequences × 13 tokens = 832 rows, d_model 128,
 * hidden 512: forward, loss, gradients of both weights. FLOPs: forward 2·(2·832·128·512), backward twice that
 * (the input gradient of the first matmul is not needed, but tfjs computes it).
 */
const MLP = { rows: 832, d: 128, h: 512 };
function mlpStep(how: 'tfjs grads' | 'explicit transposes'): Case {
  const mm =
    how === 'tfjs grads'
      ? (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)
      : matMulExplicitT;
  return {
    name: `mlp fwd+bwd ${MLP.rows}x${MLP.d}->${MLP.h}->${MLP.d} (${how})`,
    flops: 3 * 2 * (2 * MLP.rows * MLP.d * MLP.h),
    setup: () => {
      const x = tf.tensor2d(randomArray(MLP.rows * MLP.d, 5), [MLP.rows, MLP.d]);
      const w1 = tf.tensor2d(
        randomArray(MLP.d * MLP.h, 6).map((v) => v * 0.1),
        [MLP.d, MLP.h]
      );
      const w2 = tf.tensor2d(
        randomArray(MLP.h * MLP.d, 7).map((v) => v * 0.1),
        [MLP.h, MLP.d]
      );
      const f = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        mm(tf.relu(mm(x, a)), b)
          .square()
          .mean()
      );
      return {
        run: () => {
          const gs = f([w1, w2]);
          gs[0].dataSync();
          gs[1].dataSync();
          tf.dispose(gs);
        },
        dispose: () => tf.dispose([x, w1, w2]),
      };
    },
  };
}

const CASES: Case[] = [
  matmulCase(128, 512, 512, 'realistic projection'),
  matmulCase(832, 128, 512, 'transformer MLP, 64x13 tokens'),
  matmulCase(1024, 1024, 1024, 'peak', ['cpu']),
  tinyOps,
  mlpStep('tfjs grads'),
  mlpStep('explicit transposes'),
];

/** Milliseconds per call: calls `run` until at least `minMs` has passed. */
function msPerCall(run: () => void, minMs: number): number {
  let calls = 0;
  const t0 = performance.now();
  let dt = 0;
  do {
    run();
    calls++;
    dt = performance.now() - t0;
  } while (dt < minMs);
  return dt / calls;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const backends: Backend[] = ['wasm', 'cpu'];
const native = tfjsNodeStatus();
let nativeNote: string | undefined = native.reason;
if (native.state === 'built') {
  try {
    await loadTfjsNode();
    backends.unshift('tensorflow');
  } catch (err) {
    nativeNote = err instanceof Error ? err.message : String(err);
  }
}
const rssBefore = process.memoryUsage().rss;

const samples = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const c of CASES) {
    for (const b of backends) {
      if (c.skip?.includes(b)) continue;
      if (!(await tf.setBackend(b))) throw new Error(`backend ${b} did not start`);
      const { run, dispose } = c.setup();
      if (round === 0) run(); // first call compiles/allocates: not part of any sample
      const key = `${c.name}|${b}`;
      samples.set(key, [...(samples.get(key) ?? []), msPerCall(run, MIN_MS)]);
      dispose();
    }
  }
}

const results: Record<string, Record<string, { ms: number; gflops?: number; usPerOp?: number } | null>> = {};
const speedup: Record<string, number | null> = {};
for (const c of CASES) {
  const row: Record<string, { ms: number; gflops?: number; usPerOp?: number } | null> = {};
  for (const b of ['tensorflow', 'wasm', 'cpu'] as Backend[]) {
    const xs = samples.get(`${c.name}|${b}`);
    if (!xs) {
      row[b] = null;
      continue;
    }
    const ms = median(xs);
    row[b] = {
      ms: Number(ms.toFixed(3)),
      ...(c.flops
        ? { gflops: Number((c.flops / (ms * 1e6)).toFixed(2)) }
        : { usPerOp: Number(((ms * 1000) / OPS_PER_CHAIN).toFixed(1)) }),
    };
  }
  results[c.name] = row;
  // ratio of times measured in this run: >1 means the native backend is faster.
  speedup[c.name] = row.tensorflow && row.wasm ? Number((row.wasm.ms / row.tensorflow.ms).toFixed(2)) : null;
}

const matmulGflops = Object.fromEntries(
  (['tensorflow', 'wasm', 'cpu'] as Backend[]).map((b) => [
    b,
    Object.fromEntries(
      CASES.filter((c) => c.flops && c.name.startsWith('matmul')).map((c) => [
        c.name,
        results[c.name][b]?.gflops ?? null,
      ])
    ),
  ])
);

console.log(
  JSON.stringify(
    {
      bench: 'backends',
      machine: machineInfo(),
      // Other engineers' processes share these cores: the load average says how contended the run was.
      loadAverage1m: Number(os.loadavg()[0].toFixed(1)),
      rounds: ROUNDS,
      minMsPerSample: MIN_MS,
      native: backends.includes('tensorflow')
        ? {
            backend: 'tensorflow',
            tfjsNode: '4.22.0',
            tensorflow: TENSORFLOW_CPU.version,
            rssMiBAfterLoad: Math.round(rssBefore / 2 ** 20),
          }
        : { backend: null, reason: nativeNote },
      wasm: {
        simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
        multithread: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
      },
      matmulGflops,
      results,
      speedupTensorflowOverWasm: speedup,
    },
    null,
    2
  )
);
