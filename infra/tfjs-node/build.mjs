// Builds @tensorflow/tfjs-node against TensorFlow's C library taken from the tensorflow-cpu wheel on PyPI, because
// tfjs-node's own install script downloads libtensorflow from storage.googleapis.com, which machines that reach only
// package registries cannot. Everything lands in a staging prefix that is renamed into place only after the addon
// loads and computes a known matmul, so a half-built prefix is never mistaken for a working one.
// Usage: node infra/tfjs-node/build.mjs [--force]   (setup runs it through infra/setup.d/tfjs-node.mjs)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PINNED_NODE_DIR, relaunchOnSupportedNode } from '../node-runtime.mjs';
import { ROOT, VENV_DIR } from '../paths.mjs';
import {
  TENSORFLOW_CPU,
  TFJS_NODE_BUILD_KEY,
  TFJS_NODE_BUILD_LOG,
  TFJS_NODE_CACHE_DIR,
  TFJS_NODE_FAILED,
  TFJS_NODE_PACKAGE_DIR,
  TFJS_NODE_PREFIX,
  TFJS_NODE_STAMP,
  TFJS_NODE_VERSION,
  tfjsNodeStatus,
  tfjsNodeSupported,
} from './locate.mjs';
import { patchRemovedUtilCalls } from './patch-util.mjs';
import { pyshimSource, pythonSymbolsReferencedBy } from './pyshim.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MINUTE = 60_000;

/** A build step failed; `message` is the one line setup prints. */
export class TfjsNodeBuildError extends Error {}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Runs a command with its output appended to the build log; throws one line naming the step on failure. */
function step(what, cmd, args, { cwd = ROOT, env = process.env, timeoutMs = 10 * MINUTE } = {}) {
  const fd = openSync(TFJS_NODE_BUILD_LOG, 'a');
  try {
    writeSync(fd, `\n$ (cd ${cwd} && ${cmd} ${args.join(' ')})\n`);
    const t0 = Date.now();
    const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', fd, fd], timeout: timeoutMs });
    writeSync(fd, `[${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s]\n`);
    if (r.error) throw new TfjsNodeBuildError(`${what}: ${r.error.message}`);
    if (r.status !== 0) throw new TfjsNodeBuildError(`${what} failed (exit ${r.status ?? r.signal})`);
  } finally {
    closeSync(fd);
  }
}

function logLine(text) {
  writeFileSync(TFJS_NODE_BUILD_LOG, `${text}\n`, { flag: 'a' });
}

/** g++, make, python3 (node-gyp), gcc and nm (pyshim); installed with apt-get when missing and we are root. */
function ensureToolchain(log) {
  const missing = () => ['g++', 'gcc', 'make', 'python3', 'nm'].filter((c) => !has(c));
  if (missing().length === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    log(`native TensorFlow backend: installing build-essential python3 (missing ${missing().join(', ')})`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    step('apt-get update', 'apt-get', ['update', '-qq'], { env });
    step(
      'apt-get install',
      'apt-get',
      ['install', '-y', '-qq', '--no-install-recommends', 'build-essential', 'python3'],
      {
        env,
      }
    );
  }
  if (missing().length) {
    throw new TfjsNodeBuildError(
      `missing ${missing().join(', ')}: install them (apt-get install build-essential python3)`
    );
  }
}

function projectTfjsVersion() {
  const file = path.join(ROOT, 'node_modules', '@tensorflow', 'tfjs', 'package.json');
  if (!existsSync(file)) throw new TfjsNodeBuildError('@tensorflow/tfjs is not installed: run `npm install` first');
  return JSON.parse(readFileSync(file, 'utf8')).version;
}

async function sha256Of(file) {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk);
  return h.digest('hex');
}

/** The tensorflow-cpu wheel, from the cache or PyPI through pip, checked against the pinned sha256. */
async function ensureWheel(log) {
  const wheel = path.join(TFJS_NODE_CACHE_DIR, TENSORFLOW_CPU.wheel);
  if (existsSync(wheel) && (await sha256Of(wheel)) === TENSORFLOW_CPU.sha256) return wheel;
  const pip = existsSync(path.join(VENV_DIR, 'bin', 'pip')) ? [path.join(VENV_DIR, 'bin', 'pip')] : null;
  const [cmd, ...pre] = pip ?? ['python3', '-m', 'pip'];
  const tmp = path.join(TFJS_NODE_CACHE_DIR, `download-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`native TensorFlow backend: downloading tensorflow-cpu==${TENSORFLOW_CPU.version} (207 MB, cached afterwards)`);
  try {
    step('pip download tensorflow-cpu', cmd, [
      ...pre,
      'download',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--only-binary=:all:',
      '--python-version',
      TENSORFLOW_CPU.pythonVersion,
      ...TENSORFLOW_CPU.platforms.flatMap((p) => ['--platform', p]),
      '--dest',
      tmp,
      `tensorflow-cpu==${TENSORFLOW_CPU.version}`,
    ]);
    const got = path.join(tmp, TENSORFLOW_CPU.wheel);
    if (!existsSync(got)) {
      throw new TfjsNodeBuildError(
        `pip fetched ${readdirSync(tmp).join(', ') || 'nothing'}, not ${TENSORFLOW_CPU.wheel}`
      );
    }
    const sum = await sha256Of(got);
    if (sum !== TENSORFLOW_CPU.sha256) {
      throw new TfjsNodeBuildError(`${TENSORFLOW_CPU.wheel} has sha256 ${sum}, expected ${TENSORFLOW_CPU.sha256}`);
    }
    renameSync(got, wheel);
    return wheel;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Unpacks from the wheel only the two libraries and the C headers tfjs-node's binding includes (~510 MB of 1.1 GB). */
function extractFromWheel(wheel, pkgDir) {
  const script = `
import os, shutil, sys, zipfile
wheel, lib, inc = sys.argv[1:4]
libs = {'tensorflow/python/_pywrap_tensorflow_internal.so', 'tensorflow/libtensorflow_framework.so.2'}
headers = ('tensorflow/include/tensorflow/c/', 'tensorflow/include/tensorflow/core/platform/')
n = 0
with zipfile.ZipFile(wheel) as z:
    for m in z.infolist():
        if m.filename in libs:
            dest = os.path.join(lib, os.path.basename(m.filename))
        elif m.filename.startswith(headers) and not m.is_dir():
            dest = os.path.join(inc, m.filename[len('tensorflow/include/'):])
        else:
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(m) as src, open(dest, 'wb') as out:
            shutil.copyfileobj(src, out, 1 << 20)
        os.chmod(dest, 0o755 if dest.endswith(('.so', '.so.2')) else 0o644)
        n += 1
print(f'extracted {n} files')
`;
  step('unpacking the wheel', 'python3', [
    '-c',
    script,
    wheel,
    path.join(pkgDir, 'deps', 'lib'),
    path.join(pkgDir, 'deps', 'include'),
  ]);
  for (const f of ['_pywrap_tensorflow_internal.so', 'libtensorflow_framework.so.2']) {
    if (!existsSync(path.join(pkgDir, 'deps', 'lib', f))) throw new TfjsNodeBuildError(`the wheel has no ${f}`);
  }
}

/**
 * Makes deps/lib look like a libtensorflow release to binding.gyp (`-ltensorflow -ltensorflow_framework`, rpath
 * $ORIGIN/../../deps/lib). libtensorflow.so is a GNU ld linker script, so the addon records the real library's soname
 * (_pywrap_tensorflow_internal.so) and the CPython stub as NEEDED: both are then found through the addon's rpath at
 * load time, and the stub resolves the Python references without touching tfjs-node's sources.
 */
function stageLibraries(pkgDir) {
  const lib = path.join(pkgDir, 'deps', 'lib');
  const pywrap = path.join(lib, '_pywrap_tensorflow_internal.so');
  const names = pythonSymbolsReferencedBy(pywrap);
  // Measured on 2.9.1: 187. Zero would mean nm failed to read the library, not that Python is not needed.
  if (names.length === 0) throw new TfjsNodeBuildError(`nm found no CPython references in ${pywrap}`);
  const src = path.join(lib, 'omnizero_pyshim.c');
  writeFileSync(src, pyshimSource(names));
  logLine(`pyshim: ${names.length} CPython symbols`);
  step('compiling the CPython stub', 'gcc', [
    '-shared',
    '-fPIC',
    '-O1',
    '-o',
    path.join(lib, 'libomnizero_pyshim.so'),
    src,
    '-Wl,-soname,libomnizero_pyshim.so',
  ]);
  writeFileSync(path.join(lib, 'libtensorflow.so'), 'INPUT(_pywrap_tensorflow_internal.so libomnizero_pyshim.so)\n');
  symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'));
}

/**
 * node-gyp from npm's own node_modules: beside this node when it came with npm, else the npm found on PATH (the
 * pinned Node's package ships no npm, and under it `npm root -g` points into that Node's folder).
 */
function nodeGypScript() {
  const candidates = [path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm')];
  const onPath = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' });
  if (onPath.status === 0) candidates.push(path.resolve(path.dirname(realpathSync(onPath.stdout.trim())), '..'));
  const r = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
  if (r.status === 0) candidates.push(path.join(r.stdout.trim(), 'npm'));
  for (const npmDir of candidates) {
    const js = path.join(npmDir, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    if (existsSync(js)) return js;
  }
  throw new TfjsNodeBuildError("node-gyp not found (it ships inside npm's own node_modules)");
}

/** The addon, compiled the way node-pre-gyp would for N-API 8, without node-pre-gyp's attempt to download it. */
function compileBinding(pkgDir) {
  const args = [
    nodeGypScript(),
    'rebuild',
    `--jobs=${Math.max(1, os.availableParallelism())}`,
    '--module_name=tfjs_binding',
    `--module_path=${path.join(pkgDir, 'lib', 'napi-v8')}`,
    '--napi_build_version=8',
  ];
  // The running Node's own headers: the pinned Node's package ships them (setup runs under it where the machine's
  // node is older), as does Debian's nodejs (/usr/include/node). Failing that, the pinned Node's when installed (an
  // N-API v8 addon needs only node_api.h, stable across versions); otherwise node-gyp fetches them from nodejs.org.
  const nodedir = [path.resolve(path.dirname(process.execPath), '..'), PINNED_NODE_DIR].find((dir) =>
    existsSync(path.join(dir, 'include', 'node', 'node_api.h'))
  );
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  step('node-gyp (compiling tfjs_binding)', process.execPath, args, { cwd: pkgDir });
}

/**
 * Loads the addon in a fresh Node with every symbol bound eagerly (LD_BIND_NOW), so a C API function missing from the
 * wheel's library fails here rather than at its first call in a training run, then checks one matmul by hand:
 * [[1,2],[3,4]]·[[5,6],[7,8]] = [[1·5+2·7, 1·6+2·8], [3·5+4·7, 3·6+4·8]] = [[19,22],[43,50]].
 */
function verify(pkgDir) {
  const code = `
const tf = require(${JSON.stringify(path.join(pkgDir, 'dist', 'index.js'))});
if (tf.getBackend() !== 'tensorflow') throw new Error('backend is ' + tf.getBackend());
const got = Array.from(tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).dataSync());
if (got.join(',') !== '19,22,43,50') throw new Error('matmul gave ' + got);
console.log('verified: tensorflow backend, TF ' + tf.backend().binding.TF_Version);
`;
  step('loading the built addon', process.execPath, ['-e', code], {
    cwd: pkgDir,
    env: { ...process.env, LD_BIND_NOW: '1', TF_CPP_MIN_LOG_LEVEL: '1' },
    timeoutMs: 2 * MINUTE,
  });
}

/** Points the prefix's @tensorflow/* (except tfjs-node) at the project's copies: one tfjs-core, one kernel registry. */
function shareProjectTfjs(prefix) {
  const scope = path.join(prefix, 'node_modules', '@tensorflow');
  const projectScope = path.join(ROOT, 'node_modules', '@tensorflow');
  for (const name of readdirSync(scope)) {
    if (name === 'tfjs-node' || !existsSync(path.join(projectScope, name))) continue;
    rmSync(path.join(scope, name), { recursive: true, force: true });
    symlinkSync(path.join(projectScope, name), path.join(scope, name), 'dir');
  }
}

/**
 * `node_modules/@tensorflow/tfjs-node` → the built package, so the engine's plain `import('@tensorflow/tfjs-node')`
 * finds it. `npm install` prunes this link as extraneous; setup recreates it. Never replaces a real installed package.
 */
export function linkIntoProject() {
  const scope = path.join(ROOT, 'node_modules', '@tensorflow');
  if (!existsSync(scope)) return false;
  const link = path.join(scope, 'tfjs-node');
  let st;
  try {
    st = lstatSync(link);
  } catch {}
  if (st && !st.isSymbolicLink()) return false;
  if (st && readlinkSync(link) === TFJS_NODE_PACKAGE_DIR) return true;
  if (st) rmSync(link);
  symlinkSync(TFJS_NODE_PACKAGE_DIR, link, 'dir');
  return true;
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** One builder at a time (setup may run from several terminals); a lock left by a dead process is taken over. */
function takeLock() {
  const lock = `${TFJS_NODE_PREFIX}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lock, 'utf8'));
      if (holder && pidAlive(holder)) return null;
      rmSync(lock, { force: true });
    }
  }
  return null;
}

/**
 * Builds the native backend unless a build with the current recipe exists. Returns 'built', 'already-built' or
 * 'busy' (another process holds the lock); throws TfjsNodeBuildError with one line on failure.
 */
export async function buildTfjsNode({ log = () => {}, force = false } = {}) {
  if (!tfjsNodeSupported()) throw new TfjsNodeBuildError(`no recipe for ${process.platform}-${process.arch}`);
  if (!force && tfjsNodeStatus().state === 'built') return 'already-built';
  mkdirSync(TFJS_NODE_CACHE_DIR, { recursive: true });
  const release = takeLock();
  if (!release) return 'busy';
  const staging = `${TFJS_NODE_PREFIX}.staging-${process.pid}`;
  const started = Date.now();
  try {
    writeFileSync(TFJS_NODE_BUILD_LOG, `build ${TFJS_NODE_BUILD_KEY} at ${new Date().toISOString()}\n`);
    const tfjs = projectTfjsVersion();
    if (tfjs !== TFJS_NODE_VERSION) {
      throw new TfjsNodeBuildError(
        `project has @tensorflow/tfjs ${tfjs}, this recipe builds tfjs-node ${TFJS_NODE_VERSION}`
      );
    }
    ensureToolchain(log);
    const wheel = await ensureWheel(log);
    log(
      `native TensorFlow backend: building tfjs-node ${TFJS_NODE_VERSION} against TensorFlow ${TENSORFLOW_CPU.version} (about a minute; log: ${TFJS_NODE_BUILD_LOG})`
    );
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    copyFileSync(path.join(HERE, 'prefix-package.json'), path.join(staging, 'package.json'));
    copyFileSync(path.join(HERE, 'prefix-package-lock.json'), path.join(staging, 'package-lock.json'));
    // --ignore-scripts: tfjs-node's own install script would try storage.googleapis.com.
    step(
      'npm install @tensorflow/tfjs-node (into its own prefix)',
      'npm',
      ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'],
      { cwd: staging }
    );
    shareProjectTfjs(staging);
    const pkgDir = path.join(staging, 'node_modules', '@tensorflow', 'tfjs-node');
    try {
      patchRemovedUtilCalls(pkgDir);
    } catch (err) {
      throw new TfjsNodeBuildError(`patching for Node ≥ 23: ${err.message}`);
    }
    extractFromWheel(wheel, pkgDir);
    stageLibraries(pkgDir);
    compileBinding(pkgDir);
    rmSync(path.join(pkgDir, 'build'), { recursive: true, force: true });
    verify(pkgDir);
    writeFileSync(
      path.join(staging, path.basename(TFJS_NODE_STAMP)),
      `${JSON.stringify({ key: TFJS_NODE_BUILD_KEY, builtAt: new Date().toISOString(), node: process.version, seconds: (Date.now() - started) / 1000 })}\n`
    );
    rmSync(TFJS_NODE_PREFIX, { recursive: true, force: true });
    renameSync(staging, TFJS_NODE_PREFIX);
    rmSync(TFJS_NODE_FAILED, { force: true });
    linkIntoProject();
    log(`native TensorFlow backend: built in ${Math.round((Date.now() - started) / 1000)} s`);
    return 'built';
  } catch (err) {
    const reason = err instanceof TfjsNodeBuildError ? err.message : `unexpected: ${err?.stack ?? err}`;
    logLine(`FAILED: ${reason}`);
    writeFileSync(
      TFJS_NODE_FAILED,
      `${JSON.stringify({ key: TFJS_NODE_BUILD_KEY, reason: reason.split('\n')[0], at: new Date().toISOString(), log: TFJS_NODE_BUILD_LOG })}\n`
    );
    throw err instanceof TfjsNodeBuildError ? err : new TfjsNodeBuildError(reason.split('\n')[0]);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    release();
  }
}

const cliLog = (m) => process.stderr.write(`${m}\n`);
if (
  process.argv[1] &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) &&
  !relaunchOnSupportedNode({ log: cliLog })
) {
  try {
    const result = await buildTfjsNode({
      log: cliLog,
      force: process.argv.includes('--force'),
    });
    if (result === 'busy') console.error('another process is building the native backend; try again when it is done');
    process.stdout.write(`${JSON.stringify({ result, ...tfjsNodeStatus() })}\n`);
    if (result !== 'busy') linkIntoProject();
  } catch (err) {
    console.error(`native TensorFlow backend not built: ${err.message} (see ${TFJS_NODE_BUILD_LOG})`);
    process.exit(1);
  }
}
