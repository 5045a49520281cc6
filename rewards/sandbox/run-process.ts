/**
 * Runs one Python process inside bubblewrap and watches it from outside: wall clock, output bytes, and how it ended.
 * Everything the program could lie about (its exit status, whether it started) comes from the kernel or from bwrap.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { bwrapArgs } from './bwrap-args.ts';
import { BWRAP, DEFAULT_PYTHON, hostRootEntries, missingHostTools, NOBODY } from './host.ts';
import type { SandboxLimits } from './limits.ts';
import { hostSeccompArch, seccompFilter } from './seccomp.ts';

export interface ProcessSpec {
  /** Files placed read-only in /box (name → content). */
  files: Record<string, string>;
  /** Script path and arguments after `python3 <flags>`. */
  args: string[];
  /** Bytes written to the program's stdin (then closed). */
  stdin: string;
  limits: SandboxLimits;
  /** Open fd 3 in the sandbox as a pipe whose contents come back in `channel` (the functional harness reports there). */
  channel?: boolean;
  /** Interpreter inside the sandbox. Default /usr/bin/python3. */
  python?: string;
  /** Interpreter flags. Default ['-S', '-I']. */
  pythonFlags?: string[];
  /** Host uid/gid bwrap runs as. Default: nobody (65534) when the worker is root, else the worker's own. */
  hostId?: number;
  /** Apply the seccomp deny-list (seccomp.ts) on architectures it knows (x86-64, arm64). Default true. */
  seccomp?: boolean;
  /** Aborting kills the sandbox at once (the outcome then has `aborted: true`). */
  signal?: AbortSignal;
}

export interface ProcessOutcome {
  /** The program ran (bwrap reported its pid); false means the sandbox itself failed to start. */
  started: boolean;
  /** Exit code of the program; for a program killed by signal N, 128 + N (bwrap's convention). */
  exitCode: number | null;
  wallTimedOut: boolean;
  outputExceeded: boolean;
  /** Killed because the caller's signal aborted. */
  aborted: boolean;
  stdout: string;
  stderrTail: string;
  /** What the program wrote to fd 3 (only when `channel` was asked for). */
  channel: string;
  durationMs: number;
  /** Why the sandbox failed, when `started` is false. */
  sandboxError?: string;
}

/** Characters of stderr kept (the end of it, where a Python traceback says what went wrong). */
export const STDERR_TAIL_CHARS = 2000;

const STATUS_FD = 3;
const CHANNEL_FD = 4;
const SECCOMP_FD = 5;
const FIRST_DATA_FD = 6;

let rootEntries: ReturnType<typeof hostRootEntries> | undefined;
let seccompBytes: Buffer | undefined;

export async function runSandboxed(spec: ProcessSpec): Promise<ProcessOutcome> {
  const python = spec.python ?? DEFAULT_PYTHON;
  const t0 = performance.now();
  const missing = missingHostTools(python);
  if (missing) return failedToStart(missing, t0);
  rootEntries ??= hostRootEntries();
  const names = Object.keys(spec.files);
  const arch = spec.seccomp === false ? undefined : hostSeccompArch();
  seccompBytes ??= arch ? seccompFilter(arch) : undefined;
  const filter = arch ? seccompBytes : undefined;
  const argv = bwrapArgs({
    root: rootEntries,
    limits: spec.limits,
    dataFds: names.map((path, i) => ({ fd: FIRST_DATA_FD + i, path })),
    statusFd: STATUS_FD,
    seccompFd: filter ? SECCOMP_FD : undefined,
    python,
    pythonFlags: spec.pythonFlags ?? ['-S', '-I'],
    args: spec.args,
  });
  const hostId = spec.hostId ?? (process.getuid?.() === 0 ? NOBODY : undefined);
  let child: ChildProcess;
  try {
    child = spawn(BWRAP, argv, {
      stdio: [
        'pipe',
        'pipe',
        'pipe',
        'pipe',
        spec.channel ? 'pipe' : 'ignore',
        filter ? 'pipe' : 'ignore',
        ...names.map(() => 'pipe' as const),
      ],
      // Own process group, so a timeout kills bwrap and (through --die-with-parent) its whole pid namespace.
      detached: true,
      env: {},
      ...(hostId === undefined ? {} : { uid: hostId, gid: hostId }),
    });
  } catch (err) {
    return failedToStart(`cannot start ${BWRAP}: ${(err as Error).message}`, t0);
  }

  let stdoutBytes = 0;
  let stderrBytes = 0;
  const stdoutChunks: Buffer[] = [];
  let stderrTail = '';
  let status = '';
  let channel = '';
  let wallTimedOut = false;
  let outputExceeded = false;
  let killed = false;
  const kill = () => {
    if (killed || child.pid === undefined) return;
    killed = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    // 'close' waits for every pipe to close; should anything outlive the namespace and hold one, stop waiting for it.
    setTimeout(() => {
      for (const s of child.stdio) s?.destroy();
    }, 2000).unref();
  };
  const overCap = () => {
    if (stdoutBytes + stderrBytes > spec.limits.outputBytes) {
      outputExceeded = true;
      kill();
      return true;
    }
    return false;
  };
  const stdio = child.stdio as Array<Readable | Writable | null>;
  (stdio[1] as Readable).on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    if (!overCap()) stdoutChunks.push(chunk);
  });
  (stdio[2] as Readable).on('data', (chunk: Buffer) => {
    stderrBytes += chunk.length;
    overCap();
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });
  (stdio[STATUS_FD] as Readable).on('data', (chunk: Buffer) => {
    status += chunk.toString('utf8');
  });
  if (spec.channel) {
    (stdio[CHANNEL_FD] as Readable).on('data', (chunk: Buffer) => {
      // The harness writes a few short lines; a program flooding fd 3 is cut off like any other output.
      if (channel.length < spec.limits.outputBytes) channel += chunk.toString('utf8');
      else {
        outputExceeded = true;
        kill();
      }
    });
  }
  for (const s of stdio) s?.on('error', () => {}); // EPIPE when the program exits without reading its stdin.
  for (const [i, name] of names.entries()) (stdio[FIRST_DATA_FD + i] as Writable).end(spec.files[name]);
  if (filter) (stdio[SECCOMP_FD] as Writable).end(filter);
  (stdio[0] as Writable).end(spec.stdin);

  const timer = setTimeout(() => {
    wallTimedOut = true;
    kill();
  }, spec.limits.wallMs);
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    kill();
  };
  if (spec.signal?.aborted) onAbort();
  else spec.signal?.addEventListener('abort', onAbort, { once: true });
  const result = await new Promise<{ code: number | null; spawnError?: Error }>((resolve) => {
    child.once('error', (err) => resolve({ code: null, spawnError: err }));
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 + signalNumber(signal) : null) }));
  });
  clearTimeout(timer);
  spec.signal?.removeEventListener('abort', onAbort);
  kill(); // Nothing may outlive the run; killing an exited group is a no-op.

  const durationMs = performance.now() - t0;
  const started = /"child-pid"/.test(status);
  if (result.spawnError) return failedToStart(`cannot start ${BWRAP}: ${result.spawnError.message}`, t0);
  if (!started && !wallTimedOut && !aborted) {
    const why = stderrTail.trim().split('\n').pop() || `bwrap exited with code ${result.code}`;
    return { ...failedToStart(`sandbox failed to start: ${why}`, t0), stderrTail };
  }
  return {
    started: true,
    exitCode: result.code,
    wallTimedOut,
    outputExceeded,
    aborted,
    stdout: Buffer.concat(stdoutChunks).toString('utf8'),
    stderrTail,
    channel,
    durationMs,
  };
}

function failedToStart(reason: string, t0: number): ProcessOutcome {
  return {
    started: false,
    exitCode: null,
    wallTimedOut: false,
    outputExceeded: false,
    aborted: false,
    stdout: '',
    stderrTail: '',
    channel: '',
    durationMs: performance.now() - t0,
    sandboxError: reason,
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return osConstants.signals[signal] ?? 0;
}
