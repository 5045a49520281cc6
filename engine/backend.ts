/**
 * Backend choice: the fastest TensorFlow.js backend that loads on this machine. Native bindings first (they use every
 * core and, for -gpu, CUDA), then wasm with SIMD (single-threaded in Node: tfjs-probe §5), then the plain JS cpu
 * backend. `OMNI_ZERO_BACKEND` forces one, so a benchmark or a test can pin what it measures.
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
  /** wasm only: SIMD and threads in use. */
  simd?: boolean;
  threads?: number;
  /** Why each earlier candidate was skipped (missing package, load error). */
  skipped: { choice: BackendChoice; reason: string }[];
}

export interface BackendOptions {
  /** Force one backend; default `process.env.OMNI_ZERO_BACKEND`, else the first that loads in {@link BACKENDS} order. */
  force?: string;
  /** Called once with a one-line description of the choice; default: none (callers log through their own logger). */
  log?: (line: string) => void;
}

let chosen: BackendInfo | undefined;

/** The backend in use, or undefined before {@link initBackend}. */
export function backendInfo(): BackendInfo | undefined {
  return chosen;
}

async function tryLoad(choice: BackendChoice): Promise<void> {
  // libtensorflow prints oneDNN/CPU-feature notices on stderr at load; keep stderr for our one-line errors.
  if (choice.startsWith('tensorflow')) process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
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
  if (chosen && (!forced || forced === chosen.choice)) return chosen;
  const candidates: readonly BackendChoice[] = forced ? [forced as BackendChoice] : BACKENDS;
  const skipped: BackendInfo['skipped'] = [];
  for (const choice of candidates) {
    try {
      await tryLoad(choice);
      await tf.ready();
      const info: BackendInfo = { choice, name: tf.getBackend(), skipped };
      if (choice === 'wasm') {
        info.simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
        info.threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? undefined : 1;
      }
      chosen = info;
      options.log?.(
        `tfjs backend: ${choice}${info.simd !== undefined ? ` (simd ${info.simd}, threads ${info.threads ?? 'n'})` : ''}` +
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
