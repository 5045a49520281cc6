/**
 * The project's Node (infra/node-runtime.mjs, docs/node-runtime.md): the tests themselves run on a supported Node; the
 * pinned Node installs from the npm registry into an empty tool cache; and where the machine also has an older `node`,
 * the launcher and the CLI's bin started with it run on the pinned Node, pass exit codes and signals through, and
 * print nothing of their own.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { isSupportedNode, MIN_NODE_MAJOR, PINNED_NODE_BIN, PINNED_NODE_VERSION } from '../../infra/node-runtime.mjs';
import { ROOT } from '../../infra/paths.mjs';

const LAUNCHER = path.join(ROOT, 'infra', 'node.mjs');
const BIN = path.join(ROOT, 'bin', 'omni-zero.js');

/** A `node` on PATH older than the project supports (the machine's own, when the tests run on the pinned one). */
function olderNodeOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const node = path.join(dir, 'node');
    if (!dir || !existsSync(node)) continue;
    const v = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim();
    if (v && !isSupportedNode(v)) return node;
  }
  return undefined;
}

test('the tests run on a Node that package.json supports', (t) => {
  t.diagnostic(`tests run on node ${process.version}`);
  const engines = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines.node;
  assert.equal(engines, `>=${MIN_NODE_MAJOR}`);
  assert.ok(isSupportedNode(), `running on ${process.version}, engines say ${engines}`);
  assert.ok(isSupportedNode(PINNED_NODE_VERSION), `the pinned ${PINNED_NODE_VERSION} is supported`);
  assert.equal(isSupportedNode(`${MIN_NODE_MAJOR - 1}.99.0`), false);
  assert.equal(isSupportedNode(`${MIN_NODE_MAJOR}.0.0`), true);
});

test('the pinned Node installs into an empty tool cache, checked, and is then only looked up', {
  skip: process.platform === 'linux' && process.arch === 'x64' ? false : 'Node is pinned for linux-x64 only',
}, () => {
  const cache = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-node-cache-'));
  const install = () =>
    spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(path.join(ROOT, 'infra', 'node-runtime.mjs'))});
           console.log(m.installPinnedNode({ log: (s) => console.error(s) }));`,
      ],
      { encoding: 'utf8', env: { ...process.env, OMNI_ZERO_CACHE: cache }, timeout: 180_000 }
    );
  try {
    const first = install();
    assert.equal(first.status, 0, first.stderr);
    const bin = first.stdout.trim();
    assert.equal(bin, path.join(cache, 'tools', `node-v${PINNED_NODE_VERSION}`, 'bin', 'node'));
    assert.match(first.stderr, new RegExp(`installing Node ${PINNED_NODE_VERSION}`));
    assert.equal(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim(), `v${PINNED_NODE_VERSION}`);
    // The headers node-gyp builds the native backend against come with it.
    assert.ok(existsSync(path.join(path.dirname(bin), '..', 'include', 'node', 'node_api.h')));
    assert.deepEqual(readdirSync(path.join(cache, 'tools')), [`node-v${PINNED_NODE_VERSION}`], 'no staging left');
    const second = install();
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout.trim(), bin);
    assert.equal(second.stderr, '', 'present: nothing to install');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

const older = olderNodeOnPath();

/** Resolves when `child` has printed `text` on stdout. */
function printed(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      if (out.includes(text)) resolve();
    });
    child.once('exit', () => reject(new Error(`exited before printing ${text}; stdout: ${out}`)));
  });
}

describe(`started with an older node (${older ?? 'none on PATH'})`, {
  skip: older ? false : `no node older than ${MIN_NODE_MAJOR} on PATH to start from`,
}, () => {
  const run = (args: string[]) => spawnSync(older as string, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  test('the launcher runs node on the pinned Node, which is also first on the child’s PATH', () => {
    const r = run([LAUNCHER, '-p', 'process.version + " " + process.env.PATH.split(":")[0]']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), `v${PINNED_NODE_VERSION} ${path.dirname(PINNED_NODE_BIN)}`);
    assert.equal(r.stderr, '');
  });

  test('the CLI’s bin runs on the pinned Node and prints no warning', () => {
    const r = run([BIN, '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Usage: omni-zero/);
    assert.equal(r.stderr, '', 'no runtime warning (the AWS SDK warns below Node 22)');
  });

  test('exit codes and a death by signal pass through the launcher', () => {
    assert.equal(run([LAUNCHER, '-e', 'process.exitCode = 7']).status, 7);
    const killed = run([LAUNCHER, '-e', 'process.kill(process.pid, "SIGTERM")']);
    assert.equal(killed.signal, 'SIGTERM');
  });

  test('a launcher killed with SIGKILL takes its child with it (no orphaned worker or test runner)', async () => {
    const script = 'console.log("pid " + process.pid); setInterval(() => {}, 1000);';
    const launcher = spawn(older as string, [LAUNCHER, '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    launcher.stdout.on('data', (d) => {
      out += d;
    });
    await printed(launcher, 'pid ');
    const pid = Number(/pid (\d+)/.exec(out)?.[1]);
    assert.ok(pid > 0 && pid !== launcher.pid, out);
    const alive = (p: number) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(alive(pid), 'the child runs while its launcher does');
    launcher.kill('SIGKILL');
    const until = Date.now() + 5_000;
    while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(pid), false, `child ${pid} outlived its SIGKILLed launcher`);
  });

  test('SIGTERM sent to the launcher reaches the child; SIGINT alone (the terminal’s job) does not stop it', async () => {
    const script = `
      process.on('SIGINT', () => console.log('child got SIGINT'));
      process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(0); });
      console.log('ready');
      setInterval(() => {}, 1000);`;
    const child = spawn(older as string, [LAUNCHER, '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await printed(child, 'ready');
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(child.exitCode, null, 'the launcher outlives a SIGINT meant for the whole process group');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /child got SIGTERM/);
    assert.doesNotMatch(out, /child got SIGINT/);
  });
});
