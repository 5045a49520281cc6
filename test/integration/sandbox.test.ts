/** runTests against the real bubblewrap sandbox: verdicts, counts and stderr for both test shapes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTests } from '../../rewards/sandbox/index.ts';

const ADD_STDIO = { inputs: ['1 2\n', '3 4\n', '10 -3\n'], outputs: ['3\n', '7\n', '7\n'] };
const limits = { wallMs: 8000, cpuSeconds: 3 };

test('stdio: a correct solution passes every input', async () => {
  const r = await runTests('a, b = map(int, input().split())\nprint(a + b)\n', ADD_STDIO, { limits });
  assert.equal(r.status, 'passed', r.stderrTail);
  assert.equal(r.passed, 3);
  assert.equal(r.total, 3);
  assert.deepEqual(
    r.perTest?.map((t) => t.status),
    ['passed', 'passed', 'passed']
  );
});

test('stdio: a wrong solution fails with the right count', async () => {
  const r = await runTests('a, b = map(int, input().split())\nprint(a + b if a < 5 else a * b)\n', ADD_STDIO, {
    limits,
  });
  // 1+2=3 ✓, 3+4=7 ✓, 10*-3=-30 ✗ → 2 of 3.
  assert.equal(r.status, 'failed');
  assert.equal(r.passed, 2);
  assert.equal(r.total, 3);
  assert.deepEqual(
    r.perTest?.map((t) => t.status),
    ['passed', 'passed', 'failed']
  );
});

test('stdio: trailing whitespace is forgiven, leading is not', async () => {
  const tests = { inputs: [''], outputs: ['1 2\n3'] };
  assert.equal((await runTests('print("1 2   ")\nprint("3\\t")\nprint()\n', tests, { limits })).status, 'passed');
  assert.equal((await runTests('print(" 1 2")\nprint("3")\n', tests, { limits })).status, 'failed');
});

test('stdio: a syntax error is an error with the traceback in stderrTail', async () => {
  const r = await runTests('def f(:\n  pass\n', ADD_STDIO, { limits });
  assert.equal(r.status, 'error');
  assert.equal(r.passed, 0);
  assert.match(r.stderrTail, /SyntaxError/);
});

test('stdio: a runtime exception is an error', async () => {
  const r = await runTests('print(1 // 0)\n', { inputs: [''], outputs: ['0'] }, { limits });
  assert.equal(r.status, 'error');
  assert.match(r.stderrTail, /ZeroDivisionError/);
});

test('stdio: reads all of a multi-line stdin', async () => {
  const program = 'import sys\nnums = list(map(int, sys.stdin.read().split()))\nprint(sum(nums[1:]))\n';
  // 5 numbers 1..5 after the count: 1+2+3+4+5 = 15.
  const r = await runTests(program, { inputs: ['5\n1 2 3\n4 5\n'], outputs: ['15'] }, { limits });
  assert.equal(r.status, 'passed', r.stderrTail);
});

test('functional: each top-level assert is counted', async () => {
  const tests = {
    functional: 'assert add(1, 2) == 3\nassert add(2, 2) == 5\nassert add(-1, 1) == 0\nassert add(0, 0) == 1\n',
  };
  const r = await runTests('def add(a, b):\n    return a + b\n', tests, { limits });
  // 1+2=3 ✓, 2+2=4≠5 ✗, -1+1=0 ✓, 0+0=0≠1 ✗ → 2 of 4.
  assert.equal(r.status, 'failed');
  assert.equal(r.passed, 2);
  assert.equal(r.total, 4);
  assert.deepEqual(
    r.perTest?.map((t) => t.status),
    ['passed', 'failed', 'passed', 'failed']
  );
  assert.match(r.stderrTail, /AssertionError/);
});

test('functional: a correct solution passes; set-up statements and helpers run in the same scope', async () => {
  const tests = {
    functional:
      'import math\ndef near(x, y):\n    return math.isclose(x, y)\nassert near(area(1), math.pi)\nassert area(0) == 0\n',
  };
  const r = await runTests('import math\ndef area(r):\n    return math.pi * r * r\n', tests, { limits });
  assert.equal(r.status, 'passed', r.stderrTail);
  assert.equal(r.passed, 2);
  assert.equal(r.total, 2);
});

test('functional: a script without top-level asserts is one test (HumanEval-style check)', async () => {
  const tests = {
    functional: 'def check(candidate):\n    assert candidate(2) == 4\n    assert candidate(3) == 9\ncheck(square)\n',
  };
  const good = await runTests('def square(x):\n    return x * x\n', tests, { limits });
  assert.deepEqual([good.status, good.passed, good.total], ['passed', 1, 1]);
  const bad = await runTests('def square(x):\n    return x + x\n', tests, { limits });
  // 2+2 = 4 passes the first inner assert, 3+3 = 6 ≠ 9 fails the second → the one test fails.
  assert.deepEqual([bad.status, bad.passed, bad.total], ['failed', 0, 1]);
});

test('functional: a syntax error in the solution is an error, nothing passes', async () => {
  const r = await runTests(
    'def add(a, b) return a + b\n',
    { functional: 'assert add(1, 2) == 3\nassert True\n' },
    { limits }
  );
  assert.equal(r.status, 'error');
  assert.equal(r.passed, 0);
  assert.equal(r.total, 2);
  assert.match(r.stderrTail, /SyntaxError/);
});

test('functional: an exception inside an assert fails that assert only', async () => {
  const r = await runTests(
    'def inv(x):\n    return 1 / x\n',
    { functional: 'assert inv(1) == 1\nassert inv(0) == 0\nassert inv(2) == 0.5\n' },
    { limits }
  );
  assert.equal(r.status, 'failed');
  assert.equal(r.passed, 2);
  assert.match(r.stderrTail, /ZeroDivisionError/);
});

test('functional: the solution ending the process early is an error, not a pass', async () => {
  const program = 'import os, sys\ndef f():\n    os._exit(0)\n';
  const r = await runTests(program, { functional: 'assert True\nf()\nassert True\n' }, { limits });
  assert.equal(r.status, 'error');
  assert.equal(r.passed, 1);
  assert.match(r.stderrTail, /before the tests finished/);
});

test('functional: a forged report line without the nonce is ignored', async () => {
  // Writes to every fd that could be the harness's report channel (it moves off fd 4 before the solution runs).
  const program = [
    'import os',
    'for fd in range(3, 64):',
    '    for line in ["deadbeef pass 0", "deadbeef pass 1", "deadbeef done"]:',
    '        try:',
    '            os.write(fd, (line + "\\n").encode())',
    '        except OSError:',
    '            pass',
    'def f():',
    '    return 0',
    '',
  ].join('\n');
  const r = await runTests(program, { functional: 'assert f() == 1\nassert f() == 2\n' }, { limits });
  assert.equal(r.status, 'failed');
  assert.equal(r.passed, 0);
});

test('functional: the solution may print freely; __main__ blocks do not run', async () => {
  const program = 'print("noise")\ndef f():\n    return 1\nif __name__ == "__main__":\n    input()\n';
  const r = await runTests(program, { functional: 'assert f() == 1\n' }, { limits });
  assert.equal(r.status, 'passed', r.stderrTail);
});

test('functional: tests that are not Python are the caller’s error', async () => {
  await assert.rejects(
    runTests('x = 1\n', { functional: 'assert (\n' }, { limits }),
    /tests.functional: is not valid Python/
  );
});

test('abort: kills the running sandboxes at once and rejects with the reason', async () => {
  const controller = new AbortController();
  const t0 = performance.now();
  setTimeout(() => controller.abort(new Error('scorer deadline')), 300);
  const slow = { inputs: ['', '', '', ''], outputs: ['', '', '', ''] };
  await assert.rejects(
    runTests('import time\ntime.sleep(30)\n', slow, { limits: { wallMs: 30_000 }, signal: controller.signal }),
    /scorer deadline/
  );
  const took = performance.now() - t0;
  assert.ok(took < 5000, `took ${took} ms: the abort did not kill the sandboxes`);
  await assert.rejects(
    runTests('pass\n', { functional: 'assert True' }, { signal: controller.signal }),
    /scorer deadline/
  );
});

test('sandbox-error, not a program verdict, when the interpreter cannot be used', async () => {
  const outside = await runTests(
    'print(1)\n',
    { inputs: [''], outputs: ['1'] },
    { python: '/root/.pyenv/shims/python3' }
  );
  assert.equal(outside.status, 'sandbox-error');
  assert.match(outside.stderrTail, /must live under \/usr/);
  const missing = await runTests('print(1)\n', { functional: 'assert True' }, { python: '/usr/bin/no-such-python' });
  assert.equal(missing.status, 'sandbox-error');
  assert.match(missing.stderrTail, /missing \/usr\/bin\/no-such-python/);
});

test('stdio: UTF-8 in and out', async () => {
  const r = await runTests(
    's = input()\nprint(s[::-1], len(s))\n',
    { inputs: ['héllo→\n'], outputs: ['→olléh 6\n'] },
    { limits }
  );
  // 'héllo→' is 6 code points; reversed '→olléh'.
  assert.equal(r.status, 'passed', r.stderrTail);
});

test('functional: the solution cannot open the tests to copy the expected values', async () => {
  const program = [
    'import os',
    'seen = [p for p in os.listdir("/box")] + [p for p in os.listdir(".")]',
    'def f():',
    '    return "leaked" if any("test" in p for p in seen) else "safe"',
    '',
  ].join('\n');
  const r = await runTests(program, { functional: 'assert f() == "safe"\n' }, { limits });
  assert.equal(r.status, 'passed', r.stderrTail);
});
