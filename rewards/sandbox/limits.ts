/**
 * The resource limits of one sandboxed Python process and their defaults. Every limit is enforced by the kernel
 * (rlimits set by prlimit inside the namespaces, tmpfs sizes) or by the parent (wall time, output bytes), never by code
 * the sandboxed program could change.
 */
export interface SandboxLimits {
  /** CPU time of each process (RLIMIT_CPU, soft; hard = soft + 1 s, then SIGKILL). Default 5. Unit: seconds. */
  cpuSeconds: number;
  /** Wall-clock time of one run; the whole sandbox (its pid namespace) is killed when exceeded. Default 10000. Unit: ms. */
  wallMs: number;
  /** Address space of each process (RLIMIT_AS); Python raises MemoryError beyond it. Default 512 MiB. Unit: bytes. */
  memoryBytes: number;
  /** Processes and threads in the sandbox (RLIMIT_NPROC, counted per user namespace). Default 64. */
  maxProcesses: number;
  /** Largest file a process may write (RLIMIT_FSIZE). Default 16 MiB. Unit: bytes. */
  fileSizeBytes: number;
  /** Size of the private tmpfs that is the scratch dir, cwd and HOME. Default 32 MiB. Unit: bytes. */
  scratchBytes: number;
  /** Size of the tmpfs at /dev/shm (POSIX shared memory, multiprocessing locks). Default 4 MiB. Unit: bytes. */
  shmBytes: number;
  /** stdout plus stderr bytes the parent reads before it kills the run as 'output-limit'. Default 1 MiB. Unit: bytes. */
  outputBytes: number;
  /** Open file descriptors per process (RLIMIT_NOFILE). Default 256. */
  openFiles: number;
}

export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  cpuSeconds: 5,
  wallMs: 10_000,
  memoryBytes: 512 * 2 ** 20,
  maxProcesses: 64,
  fileSizeBytes: 16 * 2 ** 20,
  scratchBytes: 32 * 2 ** 20,
  shmBytes: 4 * 2 ** 20,
  outputBytes: 2 ** 20,
  openFiles: 256,
});

/** Merges overrides onto the defaults and rejects values that would disable a limit. */
export function resolveLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new RangeError(`sandbox limit '${name}' must be a positive finite number (got ${value})`);
    }
  }
  for (const name of ['cpuSeconds', 'maxProcesses', 'openFiles'] as const) {
    if (!Number.isInteger(limits[name])) {
      throw new RangeError(`sandbox limit '${name}' must be a whole number (got ${limits[name]})`);
    }
  }
  return limits;
}
