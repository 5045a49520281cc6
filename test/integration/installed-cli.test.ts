/**
 * The package as a user gets it: `npm pack` of the checkout, `npm install` of that tarball into a fresh directory
 * outside the checkout (dependencies from the registry), and the installed `omni-zero` bin run from there:
 * `validate`, `schema` and a two-step demo that brings up its own Temporal dev server and S3 server. Run state goes
 * to the per-user state folder (here a temporary XDG_STATE_HOME), never into node_modules.
 */
import assert from 'node:assert/strict';
import { type SpawnOptions, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from '../../infra/paths.mjs';
import { freePort } from '../../infra/temporal-dev.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'oz-installed-'));
const app = path.join(tmp, 'app');
const stateHome = path.join(tmp, 'state');
const runDir = path.join(stateHome, 'omni-zero', 'run');

after(() => {
  for (const name of ['temporal.pid', 's3.pid']) {
    const file = path.join(runDir, name);
    if (!existsSync(file)) continue;
    try {
      process.kill(Number(readFileSync(file, 'utf8')), 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(tmp, { recursive: true, force: true });
});

function run(cmd: string, args: string[], opts: SpawnOptions) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function ok(cmd: string, args: string[], opts: SpawnOptions) {
  const r = await run(cmd, args, opts);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')}:\n${r.stderr.slice(-3000)}`);
  return r;
}

/** The two-step demo: one curriculum stage of two steps, and a smaller held-out set so evaluation stays short. */
const TWO_STEPS = [
  '--set',
  'schedule.stages=[{"name":"math","tasks":[{"task":"math"}],"steps":2}]',
  ...['code', 'math', 'qa', 'writing'].flatMap((t) => ['--set', `tasks.${t}.source.heldOutSize=16`]),
  '--set',
  'evaluation.avgK=1',
];

// npm install from the registry (~1 min with a warm npm cache), then a demo of two steps (~40 s); a cold cache on a
// loaded CI machine needs several times that.
test('the packed package installs outside the checkout and runs validate, schema and a two-step demo', {
  timeout: 900_000,
}, async (t) => {
  let t0 = Date.now();
  const lap = (what: string) => {
    t.diagnostic(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    t0 = Date.now();
  };
  const packed = await ok('npm', ['pack', '--json', '--pack-destination', tmp, '--loglevel=error'], { cwd: ROOT });
  // prepack's build prints to stdout before npm's JSON.
  const manifest = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m)))[0] as {
    filename: string;
    size: number;
    files: { path: string }[];
  };
  const files = manifest.files.map((f) => f.path);
  for (const need of ['bin/omni-zero.js', 'infra/versions.json', 'models/demo-base/model.safetensors', 'dist/index.js'])
    assert.ok(files.includes(need), `the package ships ${need}`);
  for (const dir of ['test/', 'docs/', 'bench/', 'scripts/', '.omni-zero/', 'node_modules/'])
    assert.ok(!files.some((f) => f.startsWith(dir)), `the package leaves out ${dir}`);
  // The demo base model is 2.4 MB of it; the rest is source text and its build.
  assert.ok(manifest.size < 4_000_000, `packed size ${manifest.size} bytes`);
  lap(`npm pack (${manifest.size} bytes, ${files.length} files)`);

  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'oz-user', private: true }));
  const tgz = path.join(tmp, manifest.filename);
  await ok('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tgz], { cwd: app });
  lap('npm install');
  const bin = path.join(app, 'node_modules', '.bin', 'omni-zero');
  // A user's shell: none of the test run's server addresses and keys (npm test's shared services), its own state.
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_STATE_HOME: stateHome };
  for (const k of Object.keys(env)) if (/^(AWS_|TEMPORAL_|OMNI_ZERO_(HOME|S3_|TEMPORAL_UI))/.test(k)) delete env[k];
  const opts: SpawnOptions = { cwd: app, env };

  // setup installs only the tools the CLI starts (present here: a check each), never `npm ci` into node_modules.
  const setup = await ok(bin, ['setup'], opts);
  assert.match(setup.stderr, /\[setup\] ready/);
  assert.doesNotMatch(setup.stderr, /npm (ci|install)/);

  // validate: the user's own copy of the demo config, and a broken one rejected with the field to fix.
  copyFileSync(path.join(ROOT, 'examples', 'demo.yaml'), path.join(app, 'mine.yaml'));
  const valid = JSON.parse((await ok(bin, ['validate', 'mine.yaml'], opts)).stdout);
  assert.equal(valid.ok, true);
  assert.equal(valid.totalSteps, 144);
  writeFileSync(path.join(app, 'broken.yaml'), 'name: broken\nrollout: { groupSize: 0 }\n');
  const broken = await run(bin, ['validate', 'broken.yaml'], opts);
  assert.notEqual(broken.code, 0);
  assert.match(broken.stdout + broken.stderr, /groupSize/);

  // The library entry point (package.json `exports`, the prepack build) imports from the user's own module.
  writeFileSync(
    path.join(app, 'use-lib.mjs'),
    "const { lengthPenalty } = await import('omni-zero');\n" +
      'console.log(JSON.stringify(lengthPenalty({ thinkTokens: 100, answerTokens: 2000 })));\n'
  );
  const lib = JSON.parse((await ok(process.execPath, ['use-lib.mjs'], opts)).stdout);
  assert.equal(lib.answer, -0.5); // GZ eq. 7 default: −0.00025 · 2000

  const schema = JSON.parse((await ok(bin, ['schema'], opts)).stdout);
  assert.equal(schema.title, 'omni-zero experiment');

  lap('setup, validate, schema');
  env.OMNI_ZERO_TEMPORAL_PORT = String(await freePort());
  env.OMNI_ZERO_TEMPORAL_UI_PORT = String(await freePort());
  env.OMNI_ZERO_S3_PORT = String(await freePort());
  const demo = await ok(bin, ['demo', ...TWO_STEPS], opts);
  lap('two-step demo');
  const out = JSON.parse(demo.stdout.trim().split('\n').at(-1)!);
  assert.equal(out.status, 'completed');
  assert.equal(out.steps, 2);
  assert.deepEqual(
    out.table.rows.map((r: { label: string }) => r.label),
    ['base', 'after math']
  );
  for (const row of out.table.rows) for (const t of out.table.tasks) assert.equal(typeof row.scores[t], 'number');
  assert.ok(out.finalCheckpoint?.includes('step-00000002'), out.finalCheckpoint);
  // The printed follow-up commands are the installed bin's, not the checkout's `node bin/omni-zero.js`.
  assert.match(out.report, new RegExp(`^omni-zero report ${out.workflowId} --storage s3://`));
  // The stack's state is in the per-user folder; the installed package's folder stays as npm left it.
  assert.ok(existsSync(path.join(runDir, 'temporal.pid')), 'Temporal pid file in the per-user state folder');
  assert.ok(!existsSync(path.join(app, 'node_modules', 'omni-zero', '.omni-zero')), 'no state inside node_modules');
});
