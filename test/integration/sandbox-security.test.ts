/**
 * Attacks a generated program could make, each against the real bubblewrap sandbox. Every attack must fail
 * harmlessly: the host is untouched, this worker process is alive, nothing the program started is left running, and
 * the next run in a fresh sandbox is clean.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { type RunTestsOptions, runTests, type SandboxResult } from '../../rewards/sandbox/index.ts';
import { resolveLimits } from '../../rewards/sandbox/limits.ts';
import { runSandboxed } from '../../rewards/sandbox/run-process.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const isRoot = process.getuid?.() === 0;
// A host uid of its own (when root), so "nothing left running" can be checked exactly even while other sandboxes run.
const HOST_ID = isRoot ? 64_999 : undefined;
const SECRET = `omni-secret-${randomBytes(8).toString('hex')}`;
const limits = { wallMs: 8000, cpuSeconds: 2 };
const opts: RunTestsOptions = { limits, hostId: HOST_ID };

/** Runs a program on one empty stdin and expects it to print `expected` (how an attack reports that it failed). */
function attack(program: string, expected: string, o: RunTestsOptions = opts): Promise<SandboxResult> {
  return runTests(program, { inputs: [''], outputs: [expected] }, o);
}

/** Processes the sandbox left behind: same host uid (root) or a sandbox command line (non-root). */
function strayProcesses(): string[] {
  const stray: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      const ours = HOST_ID !== undefined ? uid === HOST_ID : cmdline.includes('/box/');
      if (ours) stray.push(`${pid}: ${cmdline}`);
    } catch {
      // Exited while we looked.
    }
  }
  return stray;
}

async function assertNoStrays(): Promise<void> {
  // SIGKILL of a pid namespace's init is asynchronous: give the kernel a moment to reap its members.
  for (let i = 0; i < 20 && strayProcesses().length > 0; i++) await sleep(100);
  assert.deepEqual(strayProcesses(), []);
}

/** After every attack: this process is alive, nothing lingers, and a fresh run works and sees an empty scratch dir. */
async function assertCleanAfter(): Promise<void> {
  await assertNoStrays();
  const r = await attack('import os\nprint(len(os.listdir(".")), input() if False else "ok")\n', '0 ok');
  assert.equal(r.status, 'passed', `next run not clean: ${r.status} ${r.stderrTail}`);
}

before(() => {
  process.env.OMNI_SECRET = SECRET;
});
after(() => {
  delete process.env.OMNI_SECRET;
});

test('network: a TCP server on the host loopback is unreachable, and so are DNS and outside addresses', async () => {
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    s.end('hello');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const program = `
import socket
out = []
for host, port in [("127.0.0.1", ${port}), ("10.0.0.1", 80), ("8.8.8.8", 53)]:
    try:
        socket.create_connection((host, port), timeout=1).recv(5)
        out.append("REACHED")
    except OSError:
        out.append("blocked")
try:
    socket.getaddrinfo("example.com", 80)
    out.append("RESOLVED")
except OSError:
    out.append("blocked")
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x", ("8.8.8.8", 53))
    out.append("SENT")
except OSError:
    out.append("blocked")
print(" ".join(out))
`;
    const r = await attack(program, 'blocked blocked blocked blocked blocked');
    assert.equal(r.status, 'passed', r.stderrTail);
    assert.equal(connections, 0);
  } finally {
    server.close();
  }
  await assertCleanAfter();
});

test('files: the project, /root, /etc/shadow and host processes are not readable', async () => {
  const paths = [
    path.join(ROOT, 'package.json'),
    ROOT,
    '/root',
    '/etc/shadow',
    '/etc/passwd',
    '/work',
    '/home',
    '/var',
    '/proc/1/root/etc/shadow',
  ];
  const program = `
import os
out = []
for p in ${JSON.stringify(paths)}:
    try:
        if os.path.isdir(p):
            os.listdir(p)
        else:
            open(p, "rb").read()
        out.append("READ:" + p)
    except OSError:
        out.append("denied")
# The only processes visible are the sandbox's own; the host's pid 1 (and its environ) is not among them.
pids = [d for d in os.listdir("/proc") if d.isdigit()]
out.append("pids<=3" if len(pids) <= 3 else "PIDS:" + ",".join(pids))
print(" ".join(out))
`;
  const r = await attack(program, `${paths.map(() => 'denied').join(' ')} pids<=3`);
  assert.equal(r.status, 'passed', r.stderrTail);
  await assertCleanAfter();
});

test('secrets: the parent’s environment reaches neither the program’s environ nor any /proc file it can read', async () => {
  assert.equal(process.env.OMNI_SECRET, SECRET);
  const program = `
import os
print("ENV", sorted(os.environ.items()))
for pid in [d for d in os.listdir("/proc") if d.isdigit()]:
    for f in ("environ", "cmdline"):
        try:
            print(pid, f, open(f"/proc/{pid}/{f}", "rb").read())
        except OSError as e:
            print(pid, f, e)
`;
  const run = await runSandboxed({
    files: { 'solution.py': program },
    args: ['/box/solution.py'],
    stdin: '',
    limits: resolveLimits(limits),
    hostId: HOST_ID,
  });
  assert.equal(run.exitCode, 0, run.stderrTail);
  assert.ok(!run.stdout.includes(SECRET), 'the secret leaked into the sandbox');
  assert.ok(!run.stdout.includes('OMNI_SECRET'));
  assert.match(
    run.stdout,
    /^ENV \[\('HOME', '\/tmp'\), \('LANG', 'C.UTF-8'\), \('PATH', '\/usr\/bin:\/bin'\), \('PWD', '\/tmp'\)\]$/m
  );
  await assertCleanAfter();
});

test('writes: nothing outside the scratch dir is writable, and scratch files do not reach the host', async () => {
  const marker = `pwned-${randomBytes(4).toString('hex')}`;
  const targets = [
    path.join(ROOT, marker),
    `/${marker}`,
    `/usr/${marker}`,
    `/box/${marker}`,
    `/dev/${marker}`,
    `/proc/${marker}`,
  ];
  const program = `
out = []
for p in ${JSON.stringify(targets)}:
    try:
        open(p, "w").write("x")
        out.append("WROTE:" + p)
    except OSError:
        out.append("denied")
open("/tmp/${marker}", "w").write("scratch is fine")
out.append(open("/tmp/${marker}").read())
print(" ".join(out))
`;
  const r = await attack(program, `${targets.map(() => 'denied').join(' ')} scratch is fine`);
  assert.equal(r.status, 'passed', r.stderrTail);
  assert.ok(!existsSync(path.join(ROOT, marker)));
  assert.ok(!existsSync(`/tmp/${marker}`), 'the sandbox scratch dir is the host /tmp');
  await assertCleanAfter();
});

test('fork bomb: stopped by the process limit and the wall clock, with nothing left behind', async () => {
  const program = 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n';
  const t0 = performance.now();
  const r = await attack(program, 'never', { ...opts, limits: { ...limits, wallMs: 2000 } });
  assert.equal(r.status, 'timeout');
  assert.ok(performance.now() - t0 < 2000 + 8000, `took ${performance.now() - t0} ms`);
  await assertCleanAfter();
});

test('fork bombs in two sandboxes at once do not share one process budget', async () => {
  // RLIMIT_NPROC is counted per user namespace: each sandbox gets its own 10 processes, so both reach 9 children.
  const program =
    'import os, time\nn = 0\ntry:\n    while n < 50:\n        if os.fork() == 0:\n            time.sleep(3)\n            os._exit(0)\n        n += 1\nexcept OSError:\n    pass\nprint(5 <= n < 10)\n';
  const o = { ...opts, limits: { ...limits, maxProcesses: 10 } };
  const [a, b] = await Promise.all([attack(program, 'True', o), attack(program, 'True', o)]);
  assert.equal(a.status, 'passed', a.stderrTail);
  assert.equal(b.status, 'passed', b.stderrTail);
  await assertCleanAfter();
});

test('memory bomb: MemoryError at the address-space limit', async () => {
  const r = await attack('x = []\nwhile True:\n    x.append(bytearray(50 * 2**20))\n', 'never');
  assert.equal(r.status, 'memory', r.stderrTail);
  await assertCleanAfter();
});

test('infinite loop: killed at the CPU limit, long before the wall limit', async () => {
  const t0 = performance.now();
  const r = await attack('while True:\n    pass\n', 'never', { ...opts, limits: { cpuSeconds: 1, wallMs: 60_000 } });
  assert.equal(r.status, 'timeout');
  // 1 s of CPU takes longer than 1 s of wall time on a loaded machine (load 20 on 2 cores: ~10 s), never 60 s.
  assert.ok(performance.now() - t0 < 45_000, `took ${performance.now() - t0} ms`);
  await assertCleanAfter();
});

test('infinite loop that ignores SIGXCPU: SIGKILLed at the hard CPU limit (soft + 1 s)', async () => {
  const program = 'import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass\n';
  const t0 = performance.now();
  const r = await attack(program, 'never', { ...opts, limits: { cpuSeconds: 1, wallMs: 60_000 } });
  assert.equal(r.status, 'error');
  assert.match(r.stderrTail, /killed by SIGKILL/);
  assert.ok(performance.now() - t0 < 45_000, `took ${performance.now() - t0} ms`);
  await assertCleanAfter();
});

test('sleeping loop: killed at the wall limit (uses no CPU)', async () => {
  const t0 = performance.now();
  const r = await attack('import time\nwhile True:\n    time.sleep(1)\n', 'never', {
    ...opts,
    limits: { cpuSeconds: 5, wallMs: 1500 },
  });
  assert.equal(r.status, 'timeout');
  const took = performance.now() - t0;
  assert.ok(took >= 1400 && took < 1500 + 8000, `took ${took} ms`);
  await assertCleanAfter();
});

test('huge output: cut off at the output cap on stdout, stderr and the harness channel', async () => {
  const t0 = performance.now();
  const out = await attack('while True:\n    print("x" * 65536)\n', 'never');
  assert.equal(out.status, 'output-limit');
  const err = await attack('import sys\nwhile True:\n    sys.stderr.write("y" * 65536)\n', 'never');
  assert.equal(err.status, 'output-limit');
  assert.ok(err.stderrTail.length <= 2000);
  const chan = await runTests(
    'import os\nwhile True:\n    for fd in range(3, 12):\n        try:\n            os.write(fd, b"z" * 65536)\n        except OSError:\n            pass\n',
    { functional: 'assert True' },
    opts
  );
  assert.equal(chan.status, 'output-limit');
  assert.ok(performance.now() - t0 < 3 * limits.wallMs);
  await assertCleanAfter();
});

test('killing the parent: SIGKILL to ppid and kill -9 -1 only end the sandbox', async () => {
  const a = await attack('import os\nos.kill(os.getppid(), 9)\nprint("survived")\n', 'survived');
  // Its parent is the namespace's init, which ignores signals it has no handler for: the program goes on.
  assert.equal(a.status, 'passed', a.stderrTail);
  const b = await attack('import os\nos.kill(-1, 9)\nprint("survived")\n', 'never');
  assert.notEqual(b.status, 'passed');
  assert.notEqual(b.status, 'sandbox-error');
  const c = await attack('import subprocess\nsubprocess.run(["kill", "-9", "-1"])\nprint("survived")\n', 'never');
  assert.notEqual(c.status, 'sandbox-error');
  assert.ok(process.pid > 0 && process.ppid > 0);
  await assertCleanAfter();
});

test('background process: a daemonised child dies with the run', async () => {
  const program = `
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/usr/bin/sleep", ["sleep", "60"])
    os._exit(0)
time.sleep(0.3)
print("detached")
`;
  const r = await attack(program, 'detached');
  assert.equal(r.status, 'passed', r.stderrTail);
  await assertNoStrays();
  await assertCleanAfter();
});

test('filling the disk: the scratch tmpfs and the file-size limit stop it; the next run starts empty', async () => {
  const o = { ...opts, limits: { ...limits, scratchBytes: 8 * 2 ** 20, fileSizeBytes: 4 * 2 ** 20 } };
  const big = await attack('f = open("big", "wb")\nwhile True:\n    f.write(b"x" * 65536)\n', 'never', o);
  assert.equal(big.status, 'error');
  assert.match(big.stderrTail, /File too large/);
  const many = await attack(
    'i = 0\nwhile True:\n    open(f"f{i}", "wb").write(b"x" * 2**20)\n    i += 1\n',
    'never',
    o
  );
  assert.equal(many.status, 'error');
  assert.match(many.stderrTail, /No space left on device/);
  const shm = await attack(
    'i = 0\nwhile True:\n    open(f"/dev/shm/f{i}", "wb").write(b"x" * 2**20)\n    i += 1\n',
    'never',
    o
  );
  assert.match(shm.stderrTail, /No space left on device/);
  await assertCleanAfter();
});

test('raising its own limits back is refused (hard limits)', async () => {
  const program = `
import resource
out = []
for r in (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_NPROC, resource.RLIMIT_FSIZE):
    soft, hard = resource.getrlimit(r)
    try:
        resource.setrlimit(r, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        out.append("RAISED")
    except (ValueError, OSError):
        out.append("refused")
print(" ".join(out))
`;
  const r = await attack(program, 'refused refused refused refused');
  assert.equal(r.status, 'passed', r.stderrTail);
  await assertCleanAfter();
});

test('kernel surface: ptrace, io_uring, keyrings, bpf, unshare and x32 fail with EPERM; threads, fork and exec still work', async () => {
  const program = `
import ctypes, os, subprocess, threading
libc = ctypes.CDLL(None, use_errno=True)
def call(nr, *args):
    return "EPERM" if libc.syscall(nr, *args) == -1 and ctypes.get_errno() == 1 else "ALLOWED"
out = [call(nr, 0, 0, 0, 0) for nr in (101, 425, 250, 321, 0x40000000 + 39)]
out.append(call(272, 0x10000000))  # unshare(CLONE_NEWUSER)
t = threading.Thread(target=lambda: out.append("thread"))
t.start(); t.join()
out.append(subprocess.run(["/usr/bin/echo", "exec"], capture_output=True, text=True).stdout.strip())
pid = os.fork()
if pid == 0:
    os._exit(7)
out.append("fork" if os.waitpid(pid, 0)[1] >> 8 == 7 else "fork failed")
print(" ".join(out))
`;
  // 101 ptrace(PTRACE_TRACEME) would succeed unfiltered; 425 io_uring_setup would give EFAULT; x32 getpid would succeed.
  const r = await attack(program, 'EPERM EPERM EPERM EPERM EPERM EPERM thread exec fork');
  assert.equal(r.status, 'passed', r.stderrTail);
  await assertCleanAfter();
});

test('kernel surface: an i386 syscall (int 0x80 from ctypes shellcode) kills the process', {
  skip: process.arch !== 'x64',
}, async () => {
  // mov eax, 20 (i386 getpid); int 0x80; ret
  const program = `
import ctypes, mmap
code = bytes([0xb8, 20, 0, 0, 0, 0xcd, 0x80, 0xc3])
buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
buf.write(code)
addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
print(ctypes.CFUNCTYPE(ctypes.c_int)(addr)())
`;
  const run = await runSandboxed({
    files: { 'solution.py': program },
    args: ['/box/solution.py'],
    stdin: '',
    limits: resolveLimits(limits),
    hostId: HOST_ID,
  });
  assert.equal(run.exitCode, 128 + 31, `expected SIGSYS, got exit ${run.exitCode}: ${run.stdout} ${run.stderrTail}`);
  await assertCleanAfter();
});

test('property: random output sizes, sleeps and exit codes never get past the output cap or the wall bound', async () => {
  const cap = 4096;
  const o = { ...opts, limits: { outputBytes: cap, wallMs: 3000, cpuSeconds: 2 } };
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 3 * cap }),
      fc.constantFrom('stdout', 'stderr'),
      fc.constantFrom(0, 0, 0.2, 30),
      fc.constantFrom(0, 0, 1, 3),
      async (bytes, stream, sleepSeconds, exitCode) => {
        const program = `import sys, time\nsys.${stream}.write("a" * ${bytes})\nsys.${stream}.flush()\ntime.sleep(${sleepSeconds})\nsys.exit(${exitCode})\n`;
        const t0 = performance.now();
        const r = await attack(program, stream === 'stdout' ? 'a'.repeat(bytes) : '', o);
        const took = performance.now() - t0;
        const why = `${bytes} bytes on ${stream}, sleep ${sleepSeconds}, exit ${exitCode}: ${r.status} ${r.stderrTail.slice(-200)}`;
        if (bytes > cap) assert.equal(r.status, 'output-limit', why);
        else if (sleepSeconds > 3) assert.equal(r.status, 'timeout', why);
        else if (exitCode !== 0) assert.equal(r.status, 'error', why);
        else assert.equal(r.status, 'passed', why);
        assert.ok(r.stderrTail.length <= 2000);
        // The wall limit plus start-up and kill slack on a loaded 2-core machine; an unkilled sleep would take 30 s.
        assert.ok(took < 3000 + 8000, `took ${took} ms`);
      }
    ),
    { numRuns: 12 }
  );
  await assertNoStrays();
});
