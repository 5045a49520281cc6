import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bwrapArgs, prlimitArgs } from '../../../rewards/sandbox/bwrap-args.ts';
import { DEFAULT_LIMITS, resolveLimits } from '../../../rewards/sandbox/limits.ts';

const spec = {
  root: [
    { path: '/usr', kind: 'dir' as const },
    { path: '/lib', kind: 'symlink' as const, target: 'usr/lib' },
  ],
  limits: resolveLimits(),
  dataFds: [{ fd: 5, path: 'solution.py' }],
  statusFd: 3,
  python: '/usr/bin/python3',
  pythonFlags: ['-S', '-I'],
  args: ['/box/solution.py'],
};

function pairs(argv: string[], flag: string): string[] {
  return argv.flatMap((a, i) => (a === flag ? [argv[i + 1]] : []));
}

test('every isolation flag is present', () => {
  const argv = bwrapArgs(spec);
  for (const flag of [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
  ]) {
    assert.ok(argv.includes(flag), flag);
  }
  assert.deepEqual(pairs(argv, '--cap-drop'), ['ALL']);
  assert.deepEqual(pairs(argv, '--remount-ro'), ['/dev', '/']);
  assert.ok(!argv.includes('--share-net'));
  assert.deepEqual(pairs(argv, '--seccomp'), []);
  assert.deepEqual(pairs(bwrapArgs({ ...spec, seccompFd: 7 }), '--seccomp'), ['7']);
});

test('binds only /usr read-only, recreates symlinks, and nothing writable from the host', () => {
  const argv = bwrapArgs(spec);
  assert.deepEqual(pairs(argv, '--ro-bind'), ['/usr']);
  assert.deepEqual(pairs(argv, '--symlink'), ['usr/lib']);
  assert.deepEqual(pairs(argv, '--bind'), []);
  assert.deepEqual(pairs(argv, '--ro-bind-data'), ['5']);
  assert.equal(argv[argv.indexOf('--ro-bind-data') + 2], '/box/solution.py');
});

test('sized tmpfs for scratch and /dev/shm, scratch is the cwd', () => {
  const argv = bwrapArgs(spec);
  assert.deepEqual(pairs(argv, '--tmpfs'), ['/dev/shm', '/tmp']);
  // 4 MiB = 4194304 bytes, 32 MiB = 33554432 bytes (DEFAULT_LIMITS).
  assert.deepEqual(pairs(argv, '--size'), ['4194304', '33554432']);
  assert.deepEqual(pairs(argv, '--chdir'), ['/tmp']);
});

test('the environment is only PATH, LANG and HOME', () => {
  const argv = bwrapArgs(spec);
  assert.deepEqual(pairs(argv, '--setenv'), ['PATH', 'LANG', 'HOME']);
});

test('the command is prlimit with hard limits, then python', () => {
  const argv = bwrapArgs(spec);
  const cmd = argv.slice(argv.indexOf('--') + 1);
  assert.deepEqual(cmd, [
    '/usr/bin/prlimit',
    '--cpu=5:6',
    '--as=536870912:536870912', // 512 * 2^20
    '--nproc=64:64',
    '--fsize=16777216:16777216', // 16 * 2^20
    '--nofile=256:256',
    '--core=0:0',
    '--',
    '/usr/bin/python3',
    '-S',
    '-I',
    '/box/solution.py',
  ]);
});

test('limits follow the options', () => {
  const argv = prlimitArgs(resolveLimits({ cpuSeconds: 2, memoryBytes: 1000, maxProcesses: 3 }));
  assert.ok(argv.includes('--cpu=2:3'));
  assert.ok(argv.includes('--as=1000:1000'));
  assert.ok(argv.includes('--nproc=3:3'));
});

test('limits that would disable a guard are refused', () => {
  assert.throws(() => resolveLimits({ wallMs: 0 }), /wallMs/);
  assert.throws(() => resolveLimits({ memoryBytes: Number.POSITIVE_INFINITY }), /memoryBytes/);
  assert.throws(() => resolveLimits({ cpuSeconds: 1.5 }), /whole number/);
  assert.equal(resolveLimits().outputBytes, DEFAULT_LIMITS.outputBytes);
});
