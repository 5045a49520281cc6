/**
 * Backend choice: the fastest TensorFlow.js backend that loads on this machine. Native bindings first (they use every
 * core and, for -gpu, CUDA), then wasm with SIMD (single-threaded in Node: tfjs-probe §5), then the plain JS cpu
 * backend. `OMNI_ZERO_BACKEND` forces one, so a benchmark or a test can pin what it measures.
 *
 * Threads of the native backend (`threads`, `OMNI_ZERO_THREADS`): TensorFlow sizes its intra-op and inter-op pools
 * once, when it loads, to every core by default. On small tensors the pool costs more than it gives (a decoding step
 * of a small model runs about twice as fast on one thread, bench `engine`'s KV section), while the update of a larger
 * model wants every core; and two worker processes on one machine each want their own core. So it is a per-process
 * choice, made before the first load.
 */
import * as tf from '@tensorflow/tfjs';

export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
/** `tensorflow-gpu` is `@tensorflow/tfjs-node-gpu`, `tensorflow` is `@tensorflow/tfjs-node` (both register as `tensorflow`). */
export type BackendChoice = (typeof BACKENDS)[number];

export interface BackendInfo {
  /** What was chosen. */
  choice: BackendChoice;
  /** `tf.getBackend()` after the choice (`tensorflow`, `wasm` or `cpu`). */
  name: string;
  /** wasm only: SIMD in use. */
  simd?: boolean;
  /** Threads in use: wasm's (1 in Node), or the native backend's intra-op threads when set; absent = every core. */
  threads?: number;
  /** Why each earlier candidate was skipped (missing package, load error). */
  skipped: { choice: BackendChoice; reason: string }[];
}

export interface BackendOptions {
  /** Force one backend; default `process.env.OMNI_ZERO_BACKEND`, else the first that loads in {@link BACKENDS} order. */
  force?: string;
  /** Called once with a one-line description of the choice; default: none (callers log through their own logger). */
  log?: (line: string) => void;
  /**
   * Intra-op and inter-op threads of the native backend, fixed when it first loads in this process; default
   * `process.env.OMNI_ZERO_THREADS`, else TensorFlow's (`TF_NUM_INTRAOP_THREADS` / `TF_NUM_INTEROP_THREADS` when set,
   * otherwise every core). wasm is single-threaded in Node whatever this says.
   */
  threads?: number;
}

/** A thread count from a flag or the environment (`what` names it in the error); not a whole number ≥ 1 throws. */
export function parseThreads(raw: string | number, what: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a whole number ≥ 1 (got '${raw}')`);
  return n;
}

/** `threads`, or `OMNI_ZERO_THREADS` when unset. */
function threadsOption(options: BackendOptions): number | undefined {
  const raw = options.threads ?? process.env.OMNI_ZERO_THREADS;
  return raw === undefined || raw === '' ? undefined : parseThreads(raw, 'OMNI_ZERO_THREADS (or --threads)');
}

let chosen: BackendInfo | undefined;

/** The backend in use, or undefined before {@link initBackend}. */
export function backendInfo(): BackendInfo | undefined {
  return chosen;
}

async function tryLoad(choice: BackendChoice, threads: number | undefined): Promise<void> {
  if (choice.startsWith('tensorflow')) {
    // libtensorflow prints oneDNN/CPU-feature notices on stderr at load; keep stderr for our one-line errors.
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
    // TensorFlow reads these when it creates its thread pools, at the package's load.
    if (threads !== undefined) {
      process.env.TF_NUM_INTRAOP_THREADS = String(threads);
      process.env.TF_NUM_INTEROP_THREADS = String(threads);
    }
  }
  // Package names are built at run time so the type checker does not require the optional native packages.
  const pkg = (name: string) => import(/* @vite-ignore */ name);
  switch (choice) {
    case 'tensorflow-gpu':
      await pkg('@tensorflow/tfjs-node-gpu');
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node-gpu loaded but the backend did not start');
      return;
    case 'tensorflow':
      await pkg('@tensorflow/tfjs-node');
      if (!(await tf.setBackend('tensorflow'))) throw new Error('tfjs-node loaded but the backend did not start');
      return;
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
      return;
    case 'cpu':
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
      return;
  }
}

/**
 * Chooses and starts the backend (once per process; later calls return the first choice unless `force` differs).
 * Throws when a forced backend cannot load, naming what to install.
 */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const forced = options.force ?? process.env.OMNI_ZERO_BACKEND;
  if (forced !== undefined && forced !== '' && !BACKENDS.includes(forced as BackendChoice)) {
    throw new Error(`OMNI_ZERO_BACKEND='${forced}' is not a backend: use one of ${BACKENDS.join(', ')}`);
  }
  const threads = threadsOption(options);
  if (chosen && (!forced || forced === chosen.choice)) return chosen;
  const candidates: readonly BackendChoice[] = forced ? [forced as BackendChoice] : BACKENDS;
  const skipped: BackendInfo['skipped'] = [];
  for (const choice of candidates) {
    try {
      await tryLoad(choice, threads);
      await tf.ready();
      const info: BackendInfo = { choice, name: tf.getBackend(), skipped };
      if (choice === 'wasm') {
        info.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
        info.threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? undefined : 1;
      } else if (choice.startsWith('tensorflow')) {
        const intraOp = Number(process.env.TF_NUM_INTRAOP_THREADS);
        if (Number.isInteger(intraOp) && intraOp >= 1) info.threads = intraOp;
      }
      chosen = info;
      options.log?.(
        `tfjs backend: ${choice}${info.simd !== undefined ? ` (simd ${info.simd}, threads ${info.threads ?? 'n'})` : info.threads ? ` (threads ${info.threads})` : ''}` +
          (skipped.length ? `; skipped ${skipped.map((s) => s.choice).join(', ')}` : '')
      );
      return info;
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      skipped.push({ choice, reason });
      if (forced) {
        throw new Error(
          `backend '${forced}' failed to load (${reason}); install its package (tensorflow-gpu: @tensorflow/tfjs-node-gpu, tensorflow: @tensorflow/tfjs-node) or unset OMNI_ZERO_BACKEND`
        );
      }
    }
  }
  throw new Error(`no TensorFlow.js backend loaded: ${skipped.map((s) => `${s.choice}: ${s.reason}`).join('; ')}`);
}
