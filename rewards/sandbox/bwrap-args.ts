/**
 * The bubblewrap command line of one sandboxed Python process. Pure: the caller passes what it found on the host, so a
 * unit test can pin every isolation flag.
 */
import type { SandboxLimits } from './limits.ts';

/** Where the sandbox's own files live inside it: read-only, outside the writable scratch dir. */
export const BOX_DIR = '/box';
/** The private tmpfs that is cwd and HOME. */
export const SCRATCH_DIR = '/tmp';
/** The uid/gid the program sees; any value works since the user namespace maps it to one host id. */
export const SANDBOX_ID = 1000;

/** One top-level path of the host's root that Python needs: bound read-only, or recreated as the same symlink. */
export type RootEntry = { path: string; kind: 'dir' } | { path: string; kind: 'symlink'; target: string };

export interface BwrapSpec {
  /** The host's /usr, /bin, /lib* entries (see hostRootEntries). */
  root: readonly RootEntry[];
  limits: SandboxLimits;
  /** Files placed read-only under /box, each read by bwrap from the given fd of its own process. */
  dataFds: ReadonlyArray<{ fd: number; path: string }>;
  /** fd on which bwrap reports the child's pid and exit code (JSON), so a sandbox failure is never mistaken for the program's. */
  statusFd: number;
  /** fd from which bwrap reads a seccomp BPF program applied to the sandboxed command (see seccomp.ts); none = no filter. */
  seccompFd?: number;
  /** Python interpreter inside the sandbox (a path under /usr). */
  python: string;
  /** Interpreter flags, e.g. -S -I (no site, isolated mode: measured ~2x faster start, ignores PYTHON* variables). */
  pythonFlags: readonly string[];
  /** Arguments after the interpreter and its flags (script path and its arguments). */
  args: readonly string[];
}

export function bwrapArgs(spec: BwrapSpec): string[] {
  const { limits } = spec;
  const argv = [
    // Every namespace (user, ipc, pid, net, uts, cgroup): no network but a private loopback, own pid 1.
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--uid',
    String(SANDBOX_ID),
    '--gid',
    String(SANDBOX_ID),
    '--hostname',
    'sandbox',
    '--die-with-parent',
    // setsid: the program cannot reach a controlling terminal (TIOCSTI injection).
    '--new-session',
    '--cap-drop',
    'ALL',
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/bin:/bin',
    '--setenv',
    'LANG',
    'C.UTF-8',
    '--setenv',
    'HOME',
    SCRATCH_DIR,
    '--json-status-fd',
    String(spec.statusFd),
  ];
  if (spec.seccompFd !== undefined) argv.push('--seccomp', String(spec.seccompFd));
  for (const entry of spec.root) {
    if (entry.kind === 'dir') argv.push('--ro-bind', entry.path, entry.path);
    else argv.push('--symlink', entry.target, entry.path);
  }
  argv.push('--proc', '/proc', '--dev', '/dev');
  // bwrap's /dev is an unbounded tmpfs: without a sized /dev/shm and a read-only /dev, files there are a memory bomb.
  argv.push('--size', String(limits.shmBytes), '--tmpfs', '/dev/shm');
  argv.push('--size', String(limits.scratchBytes), '--tmpfs', SCRATCH_DIR);
  for (const { fd, path } of spec.dataFds) argv.push('--ro-bind-data', String(fd), `${BOX_DIR}/${path}`);
  argv.push('--remount-ro', '/dev', '--remount-ro', '/', '--chdir', SCRATCH_DIR);
  argv.push('--', ...prlimitArgs(limits), spec.python, ...spec.pythonFlags, ...spec.args);
  return argv;
}

/**
 * Hard limits set by prlimit inside the new user namespace, before Python starts: the program cannot raise a hard
 * limit, and RLIMIT_NPROC is counted per (user namespace, uid), so one sandbox's fork bomb does not starve another.
 */
export function prlimitArgs(limits: SandboxLimits): string[] {
  const both = (v: number) => `${v}:${v}`;
  return [
    '/usr/bin/prlimit',
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--as=${both(limits.memoryBytes)}`,
    `--nproc=${both(limits.maxProcesses)}`,
    `--fsize=${both(limits.fileSizeBytes)}`,
    `--nofile=${both(limits.openFiles)}`,
    '--core=0:0',
    '--',
  ];
}
