import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { register } from '../../../cli/commands/length-penalty.ts';
import { assertClose } from './close.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs the command in-process (spawning the CLI costs seconds per call on a shared machine). */
async function run(...args: string[]): Promise<{ stdout: string; error?: string }> {
  const program = new Command('omni-zero').exitOverride().configureOutput({ writeErr: () => {} });
  let stdout = '';
  register(program, (line) => {
    stdout += line;
  });
  try {
    await program.parseAsync(['length-penalty', ...args], { from: 'user' });
    return { stdout };
  } catch (err) {
    return { stdout, error: (err as Error).message };
  }
}

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'omni-zero-lp-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the real binary prints {think, answer, total} for the paper defaults', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin', 'omni-zero.js'), 'length-penalty', '--think', '100', '--answer', '1380'],
      { cwd: ROOT },
      (err, out, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(out))
    );
  });
  // y = 1280 → (512 − 1280)/1536 = −0.5; answer −0.00025·1380 = −0.345; total −0.845.
  const p = JSON.parse(stdout);
  assert.deepEqual(Object.keys(p), ['think', 'answer', 'total']);
  assert.equal(p.think, -0.5);
  assertClose(p.answer, -0.345, 1e-12);
  assertClose(p.total, -0.845, 1e-12);
});

test('--variant continuous: −(1380 − 1024)/3072', async () => {
  const r = await run('--think', '100', '--answer', '1380', '--variant', 'continuous');
  assertClose(JSON.parse(r.stdout).answer, -356 / 3072, 1e-12);
});

test("--config takes the knobs from the config's rewards.lengthPenalty", async () => {
  // examples/demo.yaml: lMax 64, lCache 48, L'_min 32, L'_max 128, λ 0.008.
  // y = 50 > 64 − 48 = 16 → (16 − 50)/48 = −0.708333; answer 60 > 32 → −0.008·60 = −0.48.
  const r = await run('--think', '10', '--answer', '60', '--config', path.join(ROOT, 'examples', 'demo.yaml'));
  assert.equal(r.error, undefined);
  const d = JSON.parse(r.stdout);
  assertClose(d.think, -34 / 48, 1e-12);
  assertClose(d.answer, -0.48, 1e-12);
  assertClose(d.total, -34 / 48 - 0.48, 1e-12);
});

test('bad input: one readable line saying what to fix, nothing on stdout', async () => {
  const broken = path.join(dir, 'broken.yaml');
  await writeFile(broken, 'name: x\nrewards: { lengthPenalty: { lCache: -3 } }\n');
  for (const [args, pattern] of [
    [['--think', '-3', '--answer', '1'], /--think must be a whole number of tokens >= 0 \(got '-3'\)/],
    [['--think', '1', '--answer', '1.5'], /--answer must be a whole number/],
    [['--think', '1', '--answer', '1', '--variant', 'smooth'], /--variant must be 'paper' or 'continuous'/],
    [
      ['--think', '1', '--answer', '1', '--config', path.join(dir, 'nope.yaml')],
      /cannot read .*nope\.yaml: no such file/,
    ],
    [['--think', '1', '--answer', '1', '--config', broken], /broken\.yaml is not a valid experiment config: .*lCache/],
    [['--think', '1'], /required option '--answer <tokens>' not specified/],
  ] as const) {
    const r = await run(...args);
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.error ?? '', pattern);
    assert.equal((r.error ?? '').split('\n').length, 1, r.error);
  }
});
