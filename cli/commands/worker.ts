/**
 * `omni-zero worker --queue gpu|cpu|main|io|all`: polls the task queues of its roles until SIGTERM/SIGINT. With the
 * GPU role and another, the GPU role runs in child processes (`--gpu-processes`, workers/gpu-child.ts).
 */
import { NativeConnection, type Worker } from '@temporalio/worker';
import { type Command, Option } from 'commander';
import { parseThreads } from '../../engine/backend.ts';
import { createWorkers, releaseUnrunWorkers, runWorkers } from '../../workers/create-workers.ts';
import { codecFromEnv } from '../../workers/data-converter.ts';
import { aggregatedMetrics, answerMetricsRequests, type GpuChild, startGpuChildren } from '../../workers/gpu-child.ts';
import { startMetricsServer } from '../../workers/metrics-server.ts';
import { installRuntime } from '../../workers/runtime.ts';
import { ALL_ROLES, TASK_QUEUES, type WorkerRole } from '../../workers/task-queues.ts';
import { registry, subscribeStepMetrics } from '../../workers/telemetry.ts';
import { explainConnectFailure } from '../connect-failure.ts';
import {
  type ConnectionFlags,
  type TemporalConnectConfig,
  temporalConnectConfig,
  withConnectionFlags,
} from '../temporal-connection.ts';

function parseQueueOverride(value: string, prev: Partial<Record<WorkerRole, string>>) {
  const m = value.match(/^(main|gpu|cpu|io)=(.+)$/);
  if (!m) throw new Error(`--task-queue takes ROLE=NAME with ROLE one of main, gpu, cpu, io (got '${value}')`);
  return { ...prev, [m[1]]: m[2] };
}

function port(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new Error(`${flag} must be a TCP port 1-65535 (got '${value}')`);
  return n;
}

/**
 * Connects, retrying while the server is unreachable: a worker started before the server (or restarted while the
 * server restarts) waits for it instead of exiting; `--connect-timeout` bounds the wait. A TLS or credentials
 * problem fails at once: waiting cannot fix it.
 */
async function connectWithRetry(cfg: TemporalConnectConfig, timeoutMs: number): Promise<NativeConnection> {
  const deadline = Date.now() + timeoutMs;
  const address = cfg.connectionOptions.address;
  let delay = 250;
  for (;;) {
    try {
      return await NativeConnection.connect(cfg.connectionOptions);
    } catch (err) {
      const failure = await explainConnectFailure(err, cfg);
      if (failure.permanent) throw new Error(failure.message);
      if (Date.now() + delay > deadline) {
        throw new Error(
          `${failure.message}, for ${Math.round(timeoutMs / 1000)} s; start it with 'omni-zero server start' or pass --address`
        );
      }
      console.error(`worker: Temporal at ${address} unreachable, retrying in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/**
 * A worker started by another one (workers/gpu-child.ts) has an IPC channel to it: when that closes, however the
 * parent died, the worker stops polling and exits after its in-flight tasks, or at once if it has not started.
 * Returns the hook that names what stopping means once the workers exist.
 */
function parentWatch(): (stop: () => void) => void {
  let stop: () => void = () => process.exit(1);
  if (process.channel) {
    process.channel.unref(); // the channel alone must not keep the worker alive
    process.once('disconnect', () => {
      // The parent's end of stdout and stderr is gone too: a write would fail with EPIPE.
      for (const s of [process.stdout, process.stderr]) s.on('error', () => {});
      stop();
    });
  }
  return (s) => {
    stop = s;
  };
}

type WorkerFlags = ConnectionFlags & {
  queue: string;
  oneProcess?: boolean;
  gpuProcesses: string;
  taskQueue: Partial<Record<WorkerRole, string>>;
  connectTimeout: string;
  threads?: string;
  metricsPort?: string;
  runtimeMetricsPort?: string;
  metricsHost: string;
  metricsToParent?: boolean;
};

interface WorkerSettings {
  roles: WorkerRole[];
  timeoutS: number;
  metricsPort?: number;
  runtimePort?: number;
  /** GPU child processes to start: 0 keeps the GPU role (if any) in this process. */
  gpuChildren: number;
}

/** The flags checked before anything starts; a bad one throws what to type instead. */
function workerSettings(opts: WorkerFlags): WorkerSettings {
  const listed = opts.queue === 'all' ? ALL_ROLES : opts.queue.split(',');
  if (!listed.every((r) => ALL_ROLES.includes(r as WorkerRole)))
    throw new Error(`--queue must be one of main, gpu, cpu, io, all or a comma list (got '${opts.queue}')`);
  const roles = listed as WorkerRole[];
  const timeoutS = Number(opts.connectTimeout);
  if (!Number.isFinite(timeoutS) || timeoutS < 0)
    throw new Error(`--connect-timeout must be a number of seconds (got '${opts.connectTimeout}')`);
  // Read by engine/backend.ts when the first GPU activity loads the backend, which has not happened yet.
  if (opts.threads !== undefined) process.env.OMNI_ZERO_THREADS = String(parseThreads(opts.threads, '--threads'));
  const gpuProcesses = Number(opts.gpuProcesses);
  if (!Number.isInteger(gpuProcesses) || gpuProcesses < 1)
    throw new Error(`--gpu-processes must be a whole number ≥ 1 (got '${opts.gpuProcesses}')`);
  const gpuApart = roles.includes('gpu') && roles.length > 1 && !opts.oneProcess;
  if (gpuProcesses > 1 && !gpuApart)
    throw new Error(
      '--gpu-processes needs the GPU role and another role in this process, without --one-process ' +
        "(for GPU workers alone, start 'omni-zero worker --queue gpu' once per process)"
    );
  return {
    roles,
    timeoutS,
    metricsPort: port('--metrics-port', opts.metricsPort),
    runtimePort: port('--runtime-metrics-port', opts.runtimeMetricsPort),
    gpuChildren: gpuApart ? gpuProcesses : 0,
  };
}

/** This process's workers and the GPU children, started side by side; if either fails, the other is undone. */
async function startProcesses(
  opts: WorkerFlags,
  settings: WorkerSettings,
  cfg: TemporalConnectConfig,
  connection: NativeConnection,
  codec: ReturnType<typeof codecFromEnv>
): Promise<{ workers: Worker[]; children: GpuChild[] }> {
  const local = settings.gpuChildren ? settings.roles.filter((r) => r !== 'gpu') : settings.roles;
  const [childStarts, localStarted] = await Promise.all([
    startGpuChildren(settings.gpuChildren, {
      args: process.argv.slice(process.argv.indexOf('worker') + 1),
      queues: { ...TASK_QUEUES, ...opts.taskQueue },
      address: cfg.connectionOptions.address,
      metricsPort: settings.metricsPort,
      runtimeMetricsPort: settings.runtimePort,
      threadsSet: process.env.OMNI_ZERO_THREADS !== undefined && process.env.OMNI_ZERO_THREADS !== '',
    }),
    createWorkers({ connection, namespace: cfg.namespace, roles: local, taskQueues: opts.taskQueue, codec }).then(
      (value) => ({ status: 'fulfilled' as const, value }),
      (reason: unknown) => ({ status: 'rejected' as const, reason })
    ),
  ]);
  const children = childStarts.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  const failed = [...childStarts, localStarted].find((c): c is PromiseRejectedResult => c.status === 'rejected');
  if (!failed && localStarted.status === 'fulfilled') return { workers: localStarted.value, children };
  await Promise.all(children.map((c) => c.stop()));
  if (localStarted.status === 'fulfilled') await releaseUnrunWorkers(localStarted.value);
  await connection.close();
  throw failed!.reason;
}

export function register(program: Command): void {
  const command = program
    .command('worker')
    .description(
      'run a worker: main (workflows), gpu (rollout, update, evaluation), cpu (scoring, data), io (checkpoints), or all'
    )
    .option('--queue <role>', 'main | gpu | cpu | io | all', 'all')
    .option(
      '--gpu-processes <n>',
      'GPU role child processes (each its own runs at once; with more than one, each gets cores ÷ n threads unless ' +
        '--threads says otherwise)',
      '1'
    )
    .option(
      '--one-process',
      'keep the GPU role in this process too (by default it runs in a child process when other roles run here: its ' +
        'compute would hold up their workflow tasks and scoring)'
    )
    .option(
      '--task-queue <role=name>',
      "poll this queue for a role, as the config's orchestration.taskQueues renames it (repeatable)",
      parseQueueOverride,
      {}
    )
    .option('--connect-timeout <seconds>', 'how long to wait for an unreachable server at start', '300')
    .option(
      '--threads <n>',
      "the native backend's intra-op and inter-op threads (default: every core, or OMNI_ZERO_THREADS); 1 for " +
        'GPU workers pinned one to a core (docs/engine.md "Threads")'
    )
    .option(
      '--metrics-port <port>',
      'serve step metrics and phase timings at http://HOST:PORT/metrics (default off; 9464 is usual)'
    )
    .option(
      '--runtime-metrics-port <port>',
      "serve the Temporal SDK's runtime metrics for Prometheus (default off; GPU child processes serve theirs on the " +
        'next ports)'
    )
    // A GPU child process's step metrics and timings go to its parent's endpoint (workers/gpu-child.ts).
    .addOption(new Option('--metrics-to-parent').hideHelp())
    .option(
      '--metrics-host <host>',
      'interface of both metrics endpoints (0.0.0.0 to be scraped from elsewhere)',
      '127.0.0.1'
    );
  withConnectionFlags(command).action(async (opts: WorkerFlags) => {
    const settings = workerSettings(opts);
    const cfg = temporalConnectConfig(opts);
    const { metricsPort, runtimePort } = settings;
    installRuntime('INFO', runtimePort ? { metricsAddress: `${opts.metricsHost}:${runtimePort}` } : {});
    let children: GpuChild[] = [];
    if (metricsPort) {
      subscribeStepMetrics();
      const source = aggregatedMetrics(registry, () => children);
      const server = await startMetricsServer({ registry: source, port: metricsPort, host: opts.metricsHost });
      console.error(`worker: metrics at ${server.url}`);
    }
    if (opts.metricsToParent && process.send) {
      subscribeStepMetrics();
      answerMetricsRequests(registry);
    }
    if (runtimePort)
      console.error(`worker: Temporal runtime metrics at http://${opts.metricsHost}:${runtimePort}/metrics`);
    const codec = codecFromEnv();
    const stopWithParent = parentWatch();
    const connection = await connectWithRetry(cfg, settings.timeoutS * 1000);
    const started = await startProcesses(opts, settings, cfg, connection, codec);
    children = started.children;
    const { workers } = started;
    const stopLocal = () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    };
    stopWithParent(stopLocal);
    let stopReason: Error | null = null;
    const stopFor = (err: Error) => {
      stopReason ??= err;
      stopLocal();
    };
    // A worker without a run's key would fail each of its tasks (workflow tasks retry, but activity attempts
    // count): it stops polling at the first one, leaving the tasks to a worker that holds the key.
    codec?.onUnknownKey(stopFor);
    for (const c of children) c.failed.catch(stopFor);
    const encryption = codec ? `, payloads encrypted with codec key '${codec.ring.currentKeyId}'` : '';
    const apart = children.length ? `; the GPU role in process ${children.map((c) => c.pid()).join(', ')}` : '';
    console.error(
      `worker: polling ${workers.map((w) => w.options.taskQueue).join(', ')} on ${cfg.connectionOptions.address} ` +
        `(namespace ${cfg.namespace}, ${cfg.security})${encryption}${apart}`
    );
    try {
      await runWorkers(workers);
    } finally {
      await Promise.all(children.map((c) => c.stop()));
      await connection.close();
    }
    if (stopReason) throw new Error(`worker stopped: ${(stopReason as Error).message}`);
  });
}
