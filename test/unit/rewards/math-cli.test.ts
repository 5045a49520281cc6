/**
 * `omni-zero verify math|qa`: JSON on stdout, one row per JSONL row (bad rows reported, not fatal), clear errors.
 * The command runs in-process (the same register() the binary calls): spawning the CLI costs seconds on the shared
 * machine and would fail whenever any other command's imports are mid-change.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../../cli/commands/verify.ts';

/** Runs `omni-zero <args>` for the verify command only, capturing what it writes. */
async function inProcess(args: string[]): Promise<{ stdout: string; error: Error | null }> {
  const program = new Command().exitOverride();
  let stdout = '';
  register(program, { write: (text: string) => (stdout += text) });
  try {
    await program.parseAsync(args, { from: 'user' });
    return { stdout, error: null };
  } catch (err) {
    return { stdout, error: err as Error };
  }
}

test('verify math --jsonl: one output row per input row, bad rows carry an error and the run continues', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'verify-math-'));
  const file = path.join(dir, 'rows.jsonl');
  writeFileSync(
    file,
    [
      JSON.stringify({ id: 'a', gold: '\\frac{1}{2}', prediction: '<answer>0.5</answer>' }),
      '{not json',
      JSON.stringify({ id: 'b', gold: '3' }),
      '',
      JSON.stringify({ id: 7, gold: '(0,1)', prediction: '[0,1]' }),
    ].join('\n')
  );
  const { error, stdout } = await inProcess(['verify', 'math', '--jsonl', file]);
  assert.equal(error, null);
  const rows = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(rows.length, 4);
  assert.equal(rows[0].id, 'a');
  assert.equal(rows[0].equivalent, true);
  assert.equal(typeof rows[0].ms, 'number');
  assert.match(rows[1].error, /not valid JSON/);
  assert.equal(rows[2].id, 'b');
  assert.match(rows[2].error, /"prediction"/);
  assert.deepEqual([rows[3].id, rows[3].equivalent], [7, false]);
});

test('verify math --gold --pred prints the verdict; misuse is a readable error', async () => {
  const ok = await inProcess(['verify', 'math', '--gold', 'x=2', '--pred', 'The answer is $2$.']);
  assert.equal(ok.error, null);
  const v = JSON.parse(ok.stdout);
  assert.equal(v.equivalent, true);
  assert.equal(v.extracted, '2');

  assert.match((await inProcess(['verify', 'math', '--gold', '1'])).error?.message ?? '', /give --gold and --pred/);
  assert.match(
    (await inProcess(['verify', 'math', '--jsonl', '/nonexistent/rows.jsonl'])).error?.message ?? '',
    /cannot read --jsonl .*no such file/
  );
  assert.match(
    (await inProcess(['verify', 'math', '--gold', '1', '--pred', '1', '--percent-policy', 'loose'])).error?.message ??
      '',
    /--percent-policy must be one of/
  );
});

test('verify qa matches against several gold answers', async () => {
  const { error, stdout } = await inProcess([
    'verify',
    'qa',
    '--answer',
    'The Nucleus.',
    '--gold',
    'mitochondria',
    'nucleus',
  ]);
  assert.equal(error, null);
  assert.deepEqual(JSON.parse(stdout), { match: true });
});
