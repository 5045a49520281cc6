/**
 * `omni-zero worker` as a child process: the demo runs its GPU worker this way (the wasm backend computes on the
 * event loop's thread, so a second process keeps workflow tasks and scoring moving during rollouts and updates and
 * uses the second core), and the crash tests kill and restart real worker processes with it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPinnedNode, isSupportedNode } from '../infra/node-runtime.mjs';
import type { WorkerRole } from './task-queues.ts';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface WorkerProcessOptions {
  roles: WorkerRole[];
  queues: Record<WorkerRole, string>;
  address: string;
  /** Added to the base environment (S3 endpoint and keys, OMNI_ZERO_BACKEND, OMNI_ZERO_LOG_LEVEL). */
  env?: Record<string, string>;
  /** The environment the child starts from. Default: this process's. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Where the child's output goes besides {@link WorkerProcess.output}; e.g. the demo's stderr for its errors. */
  onOutput?: (text: string) => void;
  /** More `worker` flags (connection, threads, metrics), after the ones these options set. */
  extraArgs?: string[];
  /**
   * An IPC channel to the child: it closes when this process dies, however it dies, and the worker then stops
   * (cli/commands/worker.ts), so a child never outlives its parent.
   */
  ipc?: boolean;
  /** How long to wait for the worker to report that it polls. Default 180 s (a cold start of tsx + tfjs on a loaded 2-core machine measured 19 s). */
  readyTimeoutMs?: number;
}

export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  /** stdout and stderr so far (for assertion messages). */
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Resolves when the output contains `text` (e.g. a reconnect notice). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export async function spawnWorker(o: WorkerProcessOptions): Promise<WorkerProcess> {
  const args = [
    path.join(ROOT, 'bin', 'omni-zero.js'),
    'worker',
    '--queue',
    o.roles.join(','),
    '--address',
    o.address,
    ...o.roles.flatMap((r) => ['--task-queue', `${r}=${o.queues[r]}`]),
    ...(o.extraArgs ?? []),
  ];
  // On an older Node, bin/omni-zero.js would relaunch itself under the pinned one as a grandchild: start the pinned
  // Node directly, so a kill reaches the worker itself. The caller's working directory, so a relative `file://`
  // checkpoint resolves as it does in the caller (training/checkpoint-source.ts); the bin's path is absolute.
  const node = isSupportedNode() ? process.execPath : installPinnedNode();
  const child = spawn(node, args, {
    env: {
      ...(o.baseEnv ?? process.env),
      PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`,
      ...o.env,
    },
    stdio: o.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (b: Buffer) => {
    const text = b.toString('utf8');
    out += text;
    o.onOutput?.(text);
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, sig) => resolve(code ?? sig ?? -1))
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const l of listeners) l();
  });
  const waitFor = (text: string | RegExp, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const seen = () => (typeof text === 'string' ? out.includes(text) : text.test(out));
      const check = () => {
        if (seen()) finish(resolve);
        else if (gone) finish(() => reject(new Error(`worker ${child.pid} exited before '${text}':\n${out}`)));
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`worker ${child.pid}: no '${text}' within ${timeoutMs} ms:\n${out}`))),
        timeoutMs
      );
      const finish = (f: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        f();
      };
      listeners.add(check);
      check();
    });
  const proc: WorkerProcess = {
    pid: child.pid!,
    child,
    output: () => out,
    exited,
    waitFor,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
  try {
    await waitFor('worker: polling', o.readyTimeoutMs ?? 180_000);
  } catch (err) {
    await proc.kill();
    throw err;
  }
  return proc;
}
