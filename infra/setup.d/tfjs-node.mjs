// The native TensorFlow CPU backend (@tensorflow/tfjs-node built against the tensorflow-cpu wheel's C library; see
// docs/native-backend.md). Optional: this step never fails setup. When the build cannot work it logs one line and the
// engine falls back to wasm. A stat when already built; about a minute the first time.
import { buildTfjsNode, linkIntoProject } from '../tfjs-node/build.mjs';
import { TFJS_NODE_BUILD_LOG, TFJS_NODE_FAILED, tfjsNodeStatus } from '../tfjs-node/locate.mjs';

/** A failed build is retried after this long (a network hiccup should not disable the backend for good). */
const RETRY_AFTER_MS = 24 * 3600_000;

export default async function tfjsNode({ log }) {
  // OMNI_ZERO_TFJS_NODE=off, or a path to a build made elsewhere: nothing for setup to do.
  if (process.env.OMNI_ZERO_TFJS_NODE) return;
  const status = tfjsNodeStatus();
  if (status.state === 'unsupported') return;
  if (status.state === 'built') {
    linkIntoProject();
    return;
  }
  if (status.state === 'failed' && process.env.OMNI_ZERO_TFJS_NODE_REBUILD !== '1') {
    const { readFileSync } = await import('node:fs');
    const at = Date.parse(JSON.parse(readFileSync(TFJS_NODE_FAILED, 'utf8')).at);
    if (Date.now() - at < RETRY_AFTER_MS) {
      log(
        `native TensorFlow backend unavailable (${status.reason}); using wasm. Retry: OMNI_ZERO_TFJS_NODE_REBUILD=1 npm run setup`
      );
      return;
    }
  }
  try {
    const result = await buildTfjsNode({ log });
    if (result === 'busy') log('native TensorFlow backend: another setup is building it; using wasm until it is done');
  } catch (err) {
    log(`native TensorFlow backend not built (${err.message}; log: ${TFJS_NODE_BUILD_LOG}); using wasm`);
  }
}
