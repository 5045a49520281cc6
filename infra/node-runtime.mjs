// The Node the project runs on. package.json's `engines` sets the oldest supported major; where the machine's `node`
// is older, the pinned Node LTS is installed from the npm registry (the `node-<platform>-<arch>` package ships the
// official binary and headers) into the shared tool cache, and the entry points (setup, the CLI's bin,
// infra/node.mjs) run themselves again under it. Plain JS with no dependencies: it runs before `npm ci`, on whatever
// Node the machine has. How it fits together: docs/node-runtime.md.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT, TOOLS_DIR } from './paths.mjs';

const EXIT_WITH_LAUNCHER = pathToFileURL(
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'exit-with-launcher.mjs')
).href;

const readJson = (file) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));
const pin = readJson('infra/versions.json').node;
const engines = readJson('package.json').engines.node;

/** The oldest Node major the project supports, from package.json's `engines.node` (">=22"). */
export const MIN_NODE_MAJOR = Number(/^>=\s*(\d+)/.exec(engines)?.[1]);
if (!Number.isInteger(MIN_NODE_MAJOR)) throw new Error(`package.json engines.node '${engines}' is not '>=N'`);

export const PINNED_NODE_VERSION = pin.version;
/** An install prefix (bin/node, include/node), named by version so a new pin installs beside the old one. */
export const PINNED_NODE_DIR = path.join(TOOLS_DIR, `node-v${pin.version}`);
export const PINNED_NODE_BIN = path.join(PINNED_NODE_DIR, 'bin', 'node');

export function isSupportedNode(version = process.versions.node) {
  return Number(version.split('.')[0]) >= MIN_NODE_MAJOR;
}

function check(what, r) {
  if (r.error) throw new Error(`installing Node ${pin.version}: ${what}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(
      `installing Node ${pin.version}: ${what} failed (exit ${r.status ?? r.signal}): ${r.stderr}`.trim()
    );
  }
  return r.stdout;
}

/**
 * The pinned Node's binary, installed first when missing: `npm pack` fetches the package through the user's npm
 * configuration (registry, proxy, cache), its sha512 is checked against the pin, and it is unpacked into a staging
 * folder that is renamed into place only once its `node --version` is right, so a half-installed Node is never used.
 */
export function installPinnedNode({ log = () => {} } = {}) {
  if (existsSync(PINNED_NODE_BIN)) return PINNED_NODE_BIN;
  const platform = `${process.platform}-${process.arch}`;
  const integrity = pin.integrity[platform];
  if (!integrity) {
    throw new Error(
      `Node ${process.versions.node} is older than ${MIN_NODE_MAJOR}, which omni-zero needs, and no Node build is pinned for ${platform} (infra/versions.json): install Node ${pin.version.split('.')[0]} LTS and retry`
    );
  }
  const spec = `node-${platform}@${pin.version}`;
  log(`installing Node ${pin.version} (npm package ${spec}, about 50 MB) into ${PINNED_NODE_DIR}`);
  const staging = `${PINNED_NODE_DIR}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const opts = { cwd: staging, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] };
    const packed = check(`npm pack ${spec}`, spawnSync('npm', ['pack', spec, '--json', '--loglevel=error'], opts));
    const tgz = path.join(staging, JSON.parse(packed)[0].filename);
    const sum = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
    if (sum !== integrity)
      throw new Error(`installing Node ${pin.version}: ${spec} has ${sum}, the pin says ${integrity}`);
    check('unpacking', spawnSync('tar', ['-xzf', tgz, '-C', staging, '--strip-components=1', '--no-same-owner'], opts));
    rmSync(tgz);
    const got = check('node --version', spawnSync(path.join(staging, 'bin', 'node'), ['--version'], opts)).trim();
    if (got !== `v${pin.version}`) throw new Error(`installing Node ${pin.version}: the unpacked node says ${got}`);
    try {
      renameSync(staging, PINNED_NODE_DIR);
    } catch (err) {
      // Another process installed it at the same time: theirs is as good as ours.
      if (!existsSync(PINNED_NODE_BIN)) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return PINNED_NODE_BIN;
}

/**
 * Runs `node args` as a child sharing this process's stdio, with that node's folder first on PATH (so what the child
 * starts by name, `npm` included, runs on it too), and exits with the child's status or signal. The child dies with
 * this process even when it is killed with SIGKILL (infra/exit-with-launcher.mjs).
 */
export function runAndExit(node, args) {
  const env = {
    ...process.env,
    PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`,
    OMNI_ZERO_LAUNCHER_PID: String(process.pid),
  };
  const child = spawn(node, ['--import', EXIT_WITH_LAUNCHER, ...args], { stdio: 'inherit', env });
  // A terminal sends SIGINT and SIGQUIT to its whole foreground process group, the child included: passing them on
  // too would deliver them twice (the demo treats a second Ctrl-C as "stop now"). SIGTERM and SIGHUP are usually
  // sent to one process id, so they are passed on.
  const ignore = () => {};
  const forward = (signal) => child.kill(signal);
  const handlers = { SIGINT: ignore, SIGQUIT: ignore, SIGTERM: forward, SIGHUP: forward };
  for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
  child.once('error', (err) => {
    process.stderr.write(`omni-zero: could not start ${node}: ${err.message}\n`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    if (signal) {
      for (const [s, handler] of Object.entries(handlers)) process.off(s, handler);
      process.kill(process.pid, signal);
      process.exit(128 + (os.constants.signals[signal] ?? 0));
    }
    process.exit(code ?? 1);
  });
}

/**
 * On a supported Node: returns false and the caller goes on. On an older one: runs this same script with the same
 * arguments again under the pinned Node (installed first when missing) and returns true; the caller must then do
 * nothing more, and this process exits when that one does.
 */
export function relaunchOnSupportedNode({ log = () => {} } = {}) {
  if (isSupportedNode()) return false;
  runAndExit(installPinnedNode({ log }), [...process.execArgv, ...process.argv.slice(1)]);
  return true;
}
