// Where the natively built @tensorflow/tfjs-node lives and whether it is usable. Plain JS with no dependencies so that
// setup (before node_modules exists), the engine's backend loader, tests and benchmarks all agree on one answer.
//
// tfjs-node is not a dependency in package.json: it is installed into its own prefix under .omni-zero/ and built
// there against TensorFlow's C library from the tensorflow-cpu wheel (see docs/native-backend.md), so `npm install`
// of the project stays reliable on machines where the native build cannot work.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CACHE_DIR, STATE_DIR } from '../paths.mjs';

/** The tfjs-node release built; it must equal the project's @tensorflow/tfjs version (one tfjs-core in the process). */
export const TFJS_NODE_VERSION = '4.22.0';

/**
 * tfjs-node 4.22's scripts/deps-constants.js pins LIBTENSORFLOW_VERSION = '2.9.1'; the wheel of that exact release
 * carries the same C API (in _pywrap_tensorflow_internal.so) and headers. cp310 because 2.9.1 has no cp311 wheel: the
 * wheel is only unpacked, never imported by Python, so the interpreter version does not matter.
 */
export const TENSORFLOW_CPU = {
  version: '2.9.1',
  wheel: 'tensorflow_cpu-2.9.1-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  sha256: '6666ddeae45e1f41da788cb4bdea3435aba16edb0bc17b7ac00631c7c9eb052e',
  pythonVersion: '310',
  platforms: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'],
};

/** The npm prefix holding tfjs-node and its own small dependencies. */
export const TFJS_NODE_PREFIX = path.join(STATE_DIR, 'tfjs-node');
/** The tfjs-node package directory inside the prefix. */
export const TFJS_NODE_PACKAGE_DIR = path.join(TFJS_NODE_PREFIX, 'node_modules', '@tensorflow', 'tfjs-node');
/** Written last by a successful build: `{ key, builtAt }`. */
export const TFJS_NODE_STAMP = path.join(TFJS_NODE_PREFIX, 'built.json');
/** Written by a failed build, outside the prefix so a rebuild's clean-up keeps it: `{ key, reason, at, log }`. */
export const TFJS_NODE_FAILED = path.join(STATE_DIR, 'tfjs-node-failed.json');
/** Full output of the last build (npm, pip, compiler). */
export const TFJS_NODE_BUILD_LOG = path.join(STATE_DIR, 'tfjs-node-build.log');
/** The wheel cache, so a rebuild does not download 207 MB again. */
export const TFJS_NODE_CACHE_DIR = path.join(CACHE_DIR, 'downloads');

/**
 * Identifies one build recipe: a stamp with another key is stale. Bump `recipe` when build.mjs changes what it makes.
 * N-API v8 addons are ABI-stable across Node versions, so the Node version is not part of the key.
 */
export const TFJS_NODE_BUILD_KEY = `tfjs-node@${TFJS_NODE_VERSION}+tensorflow-cpu@${TENSORFLOW_CPU.version}+napi8+recipe2`;

/** Path of the compiled addon where tfjs-node's loader (@mapbox/node-pre-gyp `find`) looks for it on N-API ≥ 8. */
export const TFJS_NODE_BINDING = path.join(TFJS_NODE_PACKAGE_DIR, 'lib', 'napi-v8', 'tfjs_binding.node');

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Only linux-x64 has a tensorflow-cpu wheel whose C library tfjs-node 4.22 can link against here. */
export function tfjsNodeSupported() {
  return process.platform === 'linux' && process.arch === 'x64';
}

/**
 * The state of the native build:
 * `built` (usable), `failed` (last attempt failed; `reason` says why), `absent` (never built, or built by another
 * recipe), `unsupported` (platform), `off` (OMNI_ZERO_TFJS_NODE=off).
 * @returns {{ state: 'built' | 'failed' | 'absent' | 'unsupported' | 'off', packageDir: string, reason?: string }}
 */
export function tfjsNodeStatus() {
  const override = process.env.OMNI_ZERO_TFJS_NODE;
  if (override === 'off') return { state: 'off', packageDir: TFJS_NODE_PACKAGE_DIR, reason: 'OMNI_ZERO_TFJS_NODE=off' };
  if (override) {
    const dir = path.resolve(override);
    return existsSync(path.join(dir, 'package.json'))
      ? { state: 'built', packageDir: dir }
      : { state: 'absent', packageDir: dir, reason: `OMNI_ZERO_TFJS_NODE=${override} has no package.json` };
  }
  if (!tfjsNodeSupported()) {
    return {
      state: 'unsupported',
      packageDir: TFJS_NODE_PACKAGE_DIR,
      reason: `no native build recipe for ${process.platform}-${process.arch} (linux-x64 only)`,
    };
  }
  const stamp = readJson(TFJS_NODE_STAMP);
  if (stamp?.key === TFJS_NODE_BUILD_KEY && existsSync(TFJS_NODE_BINDING)) {
    return { state: 'built', packageDir: TFJS_NODE_PACKAGE_DIR };
  }
  const failed = readJson(TFJS_NODE_FAILED);
  if (failed?.key === TFJS_NODE_BUILD_KEY) {
    return { state: 'failed', packageDir: TFJS_NODE_PACKAGE_DIR, reason: failed.reason };
  }
  return { state: 'absent', packageDir: TFJS_NODE_PACKAGE_DIR, reason: 'not built yet: run `npm run setup`' };
}

/**
 * The absolute path of the built tfjs-node's entry (dist/index.js) to pass to `import()`, or undefined when there is
 * no usable build. `OMNI_ZERO_TFJS_NODE=<package dir>` points at another build; `OMNI_ZERO_TFJS_NODE=off` disables it.
 */
export function tfjsNodeEntry() {
  const s = tfjsNodeStatus();
  return s.state === 'built' ? path.join(s.packageDir, 'dist', 'index.js') : undefined;
}

/**
 * Loads the native build (registers the `tensorflow` backend with the project's one tfjs-core) and returns the module.
 * Throws one line saying why when there is no usable build. TensorFlow's INFO logs (oneDNN banners on stderr) are
 * muted unless TF_CPP_MIN_LOG_LEVEL is already set; it must be set before the library loads to take effect.
 */
export async function loadTfjsNode() {
  const s = tfjsNodeStatus();
  if (s.state !== 'built') throw new Error(`native TensorFlow backend unavailable: ${s.reason}`);
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '1';
  return import(pathToFileURL(path.join(s.packageDir, 'dist', 'index.js')).href);
}
