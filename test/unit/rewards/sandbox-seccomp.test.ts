import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { DENIED_SYSCALLS, hostSeccompArch, seccompFilter } from '../../../rewards/sandbox/seccomp.ts';

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const KILL = 0x80000000;
const X64 = 0xc000003e;
const ARM64 = 0xc00000b7;
const I386 = 0x40000003;

/** A classic-BPF interpreter for the four instructions the filter uses, run on seccomp_data {nr, arch}. */
function evaluate(filter: Buffer, nr: number, arch: number): number {
  let acc = 0;
  for (let pc = 0; pc * 8 < filter.length; ) {
    const code = filter.readUInt16LE(pc * 8);
    const jt = filter.readUInt8(pc * 8 + 2);
    const jf = filter.readUInt8(pc * 8 + 3);
    const k = filter.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) acc = k === 0 ? nr : k === 4 ? arch : Number.NaN;
    else if (code === 0x15) pc += acc === k ? jt : jf;
    else if (code === 0x35) pc += acc >= k ? jt : jf;
    else if (code === 0x06) return k;
    else throw new Error(`unexpected opcode ${code}`);
    pc++;
  }
  throw new Error('fell off the end of the filter');
}

// x86-64 numbers from asm/unistd_64.h.
const X64_DENIED = { ptrace: 101, bpf: 321, io_uring_setup: 425, keyctl: 250, mount: 165, unshare: 272, iopl: 172 };
const X64_ALLOWED = {
  read: 0,
  write: 1,
  openat: 257,
  mmap: 9,
  clone: 56,
  clone3: 435,
  execve: 59,
  exit_group: 231,
  prlimit64: 302,
};

test('x86-64: listed syscalls get EPERM, everyday ones are allowed', () => {
  const f = seccompFilter('x64');
  for (const [name, nr] of Object.entries(X64_DENIED)) assert.equal(evaluate(f, nr, X64), EPERM, name);
  for (const [name, nr] of Object.entries(X64_ALLOWED)) assert.equal(evaluate(f, nr, X64), ALLOW, name);
});

test('x86-64: the x32 ABI and i386 (int 0x80) cannot bypass the list', () => {
  const f = seccompFilter('x64');
  assert.equal(evaluate(f, 0x40000000 + 39, X64), EPERM); // x32 getpid
  assert.equal(evaluate(f, 20, I386), KILL); // i386 getpid
});

test('arm64: its own numbers (asm-generic/unistd.h), and no x86-only entries', () => {
  const f = seccompFilter('arm64');
  assert.equal(evaluate(f, 117, ARM64), EPERM); // ptrace
  assert.equal(evaluate(f, 280, ARM64), EPERM); // bpf
  assert.equal(evaluate(f, 101, ARM64), ALLOW); // 101 is nanosleep on arm64 (ptrace on x86-64)
  assert.equal(evaluate(f, 117, X64), KILL);
  // 4 header + 1 per arm64 syscall (iopl, ioperm, uselib, ustat, sysfs, _sysctl have none) + ALLOW + DENY.
  assert.equal(f.length / 8, 4 + (DENIED_SYSCALLS.length - 6) + 2);
});

test('property: on x86-64 a syscall is denied exactly when it is listed or has the x32 bit', () => {
  const f = seccompFilter('x64');
  const denied = new Set(Object.values(X64_DENIED));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (nr) => {
      const verdict = evaluate(f, nr, X64);
      if (nr >= 0x40000000 || denied.has(nr)) assert.equal(verdict, EPERM);
      else assert.ok(verdict === ALLOW || verdict === EPERM);
    })
  );
  // Exactly the listed count (+ the x32 range) is denied below 1000.
  let deniedBelow1000 = 0;
  for (let nr = 0; nr < 1000; nr++) if (evaluate(f, nr, X64) === EPERM) deniedBelow1000++;
  assert.equal(deniedBelow1000, DENIED_SYSCALLS.length);
});

test('only architectures with a verified table get a filter', () => {
  assert.equal(hostSeccompArch('x64'), 'x64');
  assert.equal(hostSeccompArch('arm64'), 'arm64');
  assert.equal(hostSeccompArch('riscv64'), undefined);
});
