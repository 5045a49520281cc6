/**
 * `omni-zero worker` with the GPU role and any other role keeps the GPU role in a child process. Rollout, update and
 * evaluation compute synchronously on their process's one JS thread (tfjs-node's kernels as much as wasm's), so in a
 * shared process they hold up workflow tasks and the event loop that sandboxed scoring waits on: two sweep runs on
 * one all-role process scored about ten times slower than with the GPU role apart (docs/sweeps.md). The child is
 * the same command with `--queue gpu`; it stops when this process goes, even by kill -9 (its IPC channel closes),
 * and is started again if it dies while this process runs.
 */

import os from 'node:os';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import type { WorkerRole } from './task-queues.ts';
import { spawnWorker, type WorkerProcess } from './worker-process.ts';

/** The IPC message a parent sends for its child's metrics, and the child's answer carries. */
export const METRICS_MESSAGE = 'omni-zero/metrics';
export type ChildMetrics = MetricObjectWithValues<MetricValue<string>>[];

/** Flags of `omni-zero worker` that take a value (commander accepts `--flag value` and `--flag=value`). */
const VALUE_FLAGS = new Set([
  '--queue',
  '--gpu-processes',
  '--task-queue',
  '--connect-timeout',
  '--threads',
  '--metrics-port',
  '--runtime-metrics-port',
  '--metrics-host',
  '--address',
  '--namespace',
  '--tls-ca',
  '--tls-cert',
  '--tls-key',
  '--tls-server-name',
  '--api-key-file',
  '--api-key',
]);

/** Set by spawnWorker, or by the parent for its child; `--one-process` and `--gpu-processes` would be contradictions. */
const REPLACED = new Set([
  '--queue',
  '--gpu-processes',
  '--task-queue',
  '--address',
  '--metrics-port',
  '--runtime-metrics-port',
  '--one-process',
]);

/**
 * The parent's `worker` flags the child keeps (connection, threads, timeouts, metrics host): everything but the
 * queue, address and task-queue flags spawnWorker sets and the metrics ports. The child's step metrics and phase
 * timings go to the parent's endpoint over IPC (`--metrics-to-parent`); the Temporal SDK's runtime metrics, served by
 * its native core, cannot be merged, so child `index` (from 0) serves them `index + 1` ports above the parent's.
 */
export function childWorkerFlags(
  args: string[],
  ports: { metrics?: number; runtimeMetrics?: number; index?: number }
): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split(/=(.*)/s, 2) as [string, string | undefined];
    const takesValue = VALUE_FLAGS.has(name) && inline === undefined;
    const drop = REPLACED.has(name);
    if (!drop) kept.push(args[i], ...(takesValue && i + 1 < args.length ? [args[i + 1]] : []));
    if (takesValue) i++;
  }
  if (ports.metrics) kept.push('--metrics-to-parent');
  if (ports.runtimeMetrics) kept.push('--runtime-metrics-port', String(ports.runtimeMetrics + 1 + (ports.index ?? 0)));
  return kept;
}

export interface GpuChildOptions {
  /** The parent's `worker` flags (process.argv after `worker`). */
  args: string[];
  queues: Record<WorkerRole, string>;
  address: string;
  metricsPort?: number;
  runtimeMetricsPort?: number;
  /** Which child of the parent this is, from 0 (for its runtime metrics port). Default 0. */
  index?: number;
  /** `--threads` for the child when the parent's flags name none (one thread each for several children). */
  threads?: number;
  /** Where the child's lines go; default this process's stderr (see {@link gpuChildLines}). */
  onOutput?: (text: string) => void;
  /** A child that dies this soon after it polled counts as a failed start. Default 30 s. */
  quickExitMs?: number;
  /** Failed starts in a row after which the parent gives up. Default 3. */
  maxQuickExits?: number;
}

export interface GpuChild {
  /** The running child's pid (changes when it is started again). */
  pid(): number;
  /** Rejects when the child cannot be kept running (it fails to start, or dies at once again and again). */
  failed: Promise<never>;
  /** The child's step metrics and phase timings (with `metricsPort`); none while it restarts or does not answer. */
  metrics(timeoutMs?: number): Promise<ChildMetrics>;
  /** SIGTERM to the child (graceful: in-flight activities get the grace time), resolved when it has exited. */
  stop(): Promise<void>;
}

/** The child's lines as they are (JSON log lines stay JSON), but for its "polling" line: the parent's names the child. */
export function gpuChildLines(text: string): string {
  return text
    .split(/(?<=\n)/)
    .filter((line) => !line.startsWith('worker: polling'))
    .join('');
}

/** Starts the GPU role's child process and keeps it running until {@link GpuChild.stop}. */
export async function startGpuChild(o: GpuChildOptions): Promise<GpuChild> {
  const quickExitMs = o.quickExitMs ?? 30_000;
  const maxQuickExits = o.maxQuickExits ?? 3;
  const onOutput = o.onOutput ?? ((text: string) => process.stderr.write(gpuChildLines(text)));
  const spawnOne = () =>
    spawnWorker({
      roles: ['gpu'],
      queues: o.queues,
      address: o.address,
      extraArgs: [
        ...childWorkerFlags(o.args, { metrics: o.metricsPort, runtimeMetrics: o.runtimeMetricsPort, index: o.index }),
        ...(o.threads === undefined ? [] : ['--threads', String(o.threads)]),
      ],
      ipc: true,
      onOutput,
    });
  let current: WorkerProcess = await spawnOne();
  let stopping = false;
  let fail!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => {}); // observed by the caller when it awaits it; not an unhandled rejection before then
  let quickExits = 0;
  const watch = (proc: WorkerProcess, startedAt: number) => {
    void proc.exited.then(async (code) => {
      if (stopping) return;
      quickExits = Date.now() - startedAt < quickExitMs ? quickExits + 1 : 0;
      if (quickExits >= maxQuickExits) {
        fail(
          new Error(`the GPU worker process exited ${quickExits} times in a row (last: ${code}); see its lines above`)
        );
        return;
      }
      console.error(`worker: the GPU worker process ${proc.pid} exited (${code}); starting another`);
      try {
        current = await spawnOne();
        // stop() came while this one started: it signalled the dead one, so this one is stopped here.
        if (stopping) return void (await current.kill('SIGTERM'));
        console.error(`worker: the GPU role now in process ${current.pid}`);
        watch(current, Date.now());
      } catch (err) {
        fail(err as Error);
      }
    });
  };
  watch(current, Date.now());
  let nextId = 0;
  const metrics = (timeoutMs = 2000) =>
    new Promise<ChildMetrics>((resolve) => {
      const proc = current.child;
      const id = ++nextId;
      const done = (m: ChildMetrics) => {
        clearTimeout(timer);
        proc.off('message', onMessage);
        resolve(m);
      };
      const onMessage = (msg: { type?: string; id?: number; metrics?: ChildMetrics }) => {
        if (msg?.type === METRICS_MESSAGE && msg.id === id) done(msg.metrics ?? []);
      };
      const timer = setTimeout(() => done([]), timeoutMs);
      proc.on('message', onMessage);
      if (!proc.connected) done([]);
      else proc.send({ type: METRICS_MESSAGE, id }, (err) => err && done([]));
    });
  return {
    pid: () => current.pid,
    failed,
    metrics,
    async stop() {
      stopping = true;
      await current.kill('SIGTERM');
    },
  };
}

/**
 * `n` GPU children, each started whatever became of the others (the caller stops those that started when one did
 * not). With more than one and no thread count set, each gets cores ÷ n threads: TensorFlow would otherwise give
 * every child a pool of every core.
 */
export function startGpuChildren(
  n: number,
  o: Omit<GpuChildOptions, 'index' | 'threads'> & { threadsSet: boolean }
): Promise<PromiseSettledResult<GpuChild>[]> {
  const threads = n > 1 && !o.threadsSet ? Math.max(1, Math.floor(os.availableParallelism() / n)) : undefined;
  return Promise.allSettled(Array.from({ length: n }, (_, index) => startGpuChild({ ...o, index, threads })));
}

/** In a GPU child process: answers the parent's requests for `registry`'s metrics over the IPC channel. */
export function answerMetricsRequests(registry: Registry): void {
  process.on('message', (msg: { type?: string; id?: number }) => {
    if (msg?.type !== METRICS_MESSAGE) return;
    void registry.getMetricsAsJSON().then((metrics: ChildMetrics) => {
      if (process.connected) process.send!({ type: METRICS_MESSAGE, id: msg.id, metrics });
    });
  });
  process.channel?.unref(); // listening for requests must not keep a stopped worker alive
}

/** In the parent: one scrape answers every process, merged by prom-client's cluster aggregation, metric by metric. */
export function aggregatedMetrics(own: Registry, children: () => GpuChild[]) {
  return {
    contentType: own.contentType,
    metrics: async () => {
      const mine = await own.getMetricsAsJSON();
      const theirs = (await Promise.all(children().map((c) => c.metrics()))).filter((m) => m.length > 0);
      return theirs.length ? AggregatorRegistry.aggregate([mine, ...theirs]).metrics() : own.metrics();
    },
  };
}
