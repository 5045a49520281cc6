/** `omni-zero sandbox run` end to end: the real CLI, the real sandbox, JSON on stdout, one-line errors. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/omni-zero.js', 'sandbox', 'run', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('prints the verdict as JSON', () => {
  const tests = file('t.json', JSON.stringify({ inputs: ['1 2\n', '2 2\n'], outputs: ['3', '5'] }));
  const r = cli('--program', file('p.py', 'a, b = map(int, input().split())\nprint(a + b)\n'), '--tests', tests);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  // 1+2 = 3 ✓, 2+2 = 4 ≠ 5 ✗.
  assert.deepEqual(Object.keys(out), ['status', 'passed', 'total', 'durationMs', 'stderrTail']);
  assert.deepEqual([out.status, out.passed, out.total], ['failed', 1, 2]);
});

test('--extract runs the last python block of a response', () => {
  const response = file('r.txt', '<think>x</think><answer>```python\ndef f():\n    return 2\n```</answer>');
  const r = cli('--program', response, '--tests', file('f.json', '{"functional": "assert f() == 2"}'), '--extract');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).status, 'passed');
});

test('bad input is one line on stderr saying what to fix, with a non-zero exit', () => {
  const missing = cli('--program', path.join(dir, 'nope.py'), '--tests', file('t2.json', '{"functional": "assert 1"}'));
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /^omni-zero: cannot read program '.*nope\.py': ENOENT\n$/);
  const bad = cli('--program', file('p2.py', 'print(1)'), '--tests', file('bad.json', '{"inputs": ["1"]}'));
  assert.notEqual(bad.code, 0);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /tests: needs "inputs" and "outputs" arrays/);
});
