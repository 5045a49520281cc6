import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { register } from '../../../cli/commands/report.ts';
import { writeFixtureRun } from '../../fixtures/report/generate-run.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-report-cli-'));
// The config's default storage, file://.omni-zero/runs, is relative to the working directory.
const defaultStorage = path.join(dir, '.omni-zero', 'runs');

before(async () => {
  await writeFixtureRun(`file://${defaultStorage}`, { runId: 'curr', stepsPerStage: 5, evalEvery: 5 });
  await writeFixtureRun(`file://${defaultStorage}`, { runId: 'rev', order: 'reverse', stepsPerStage: 5, evalEvery: 5 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** In-process (spawning the CLI costs seconds per call on a shared machine). */
async function run(...args: string[]): Promise<{ stdout: string; error?: string }> {
  const program = new Command('omni-zero').exitOverride().configureOutput({ writeErr: () => {} });
  let stdout = '';
  register(program, (line) => {
    stdout += line;
  });
  try {
    await program.parseAsync(['report', ...args], { from: 'user' });
    return { stdout };
  } catch (err) {
    return { stdout, error: (err as Error).message };
  }
}

test('report --compare --storage --out writes the page and prints {out, charts, steps}', async () => {
  const out = path.join(dir, 'sub', 'cmp.html');
  const { stdout, error } = await run(
    'curr',
    '--compare',
    'rev',
    '--storage',
    `file://${defaultStorage}`,
    '--out',
    out
  );
  assert.equal(error, undefined);
  // 22 charts for one run + the compared run's two matrices and phase chart.
  assert.deepEqual(JSON.parse(stdout), { out, charts: 25, steps: 20 });
  const html = readFileSync(out, 'utf8');
  assert.equal(html.match(/data-chart="/g)?.length, 25);
});

test('an unknown run is an error naming the run and what to check', async () => {
  const { error } = await run('missing', '--storage', `file://${defaultStorage}`, '--out', path.join(dir, 'x.html'));
  assert.match(error ?? '', /no run 'missing' at file:\/\/.*missing .*check the run id and --storage/);
});

test('the real binary reads the default storage (file://.omni-zero/runs under the working directory)', async () => {
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin/omni-zero.js'), 'report', 'curr'],
      { cwd: dir },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr })
    );
  });
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), { out: path.join(dir, 'report-curr.html'), charts: 22, steps: 20 });
});

test('an unsafe run id is refused before any path is built', async () => {
  const { error } = await run('../x', '--storage', `file://${defaultStorage}`);
  assert.match(error ?? '', /invalid run id '\.\.\/x': use letters, digits/);
});

test('--compare-storage reads the second run from another storage; alone it is an error', async () => {
  const other = path.join(dir, 'elsewhere');
  await writeFixtureRun(`file://${other}`, { runId: 'nopenalty', stepsPerStage: 5, evalEvery: 5, seed: 11 });
  const out = path.join(dir, 'x-storage.html');
  const { stdout, error } = await run(
    'curr',
    '--storage',
    `file://${defaultStorage}`,
    '--compare',
    'nopenalty',
    '--compare-storage',
    `file://${other}`,
    '--out',
    out
  );
  assert.equal(error, undefined);
  assert.equal(JSON.parse(stdout).charts, 25);
  assert.match(readFileSync(out, 'utf8'), /<code>nopenalty<\/code>/);
  const alone = await run('curr', '--storage', `file://${defaultStorage}`, '--compare-storage', `file://${other}`);
  assert.match(alone.error ?? '', /--compare-storage needs --compare/);
});
