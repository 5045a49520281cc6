/** `omni-zero worker --queue gpu|cpu|main|all`: polls the task queues of one role (or all) until SIGTERM/SIGINT. */
import { NativeConnection } from '@temporalio/worker';
import type { Command } from 'commander';
import { parseThreads } from '../../engine/backend.ts';
import { createWorkers, runWorkers } from '../../workers/create-workers.ts';
import { codecFromEnv } from '../../workers/data-converter.ts';
import { startMetricsServer } from '../../workers/metrics-server.ts';
import { installRuntime } from '../../workers/runtime.ts';
import { ALL_ROLES, type WorkerRole } from '../../workers/task-queues.ts';
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

export function register(program: Command): void {
  const command = program
    .command('worker')
    .description(
      'run a worker: main (workflows), gpu (rollout, update, evaluation), cpu (scoring, data), io (checkpoints), or all'
    )
    .option('--queue <role>', 'main | gpu | cpu | io | all', 'all')
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
    .option('--runtime-metrics-port <port>', "serve the Temporal SDK's runtime metrics for Prometheus (default off)")
    .option(
      '--metrics-host <host>',
      'interface of both metrics endpoints (0.0.0.0 to be scraped from elsewhere)',
      '127.0.0.1'
    );
  withConnectionFlags(command).action(
    async (
      opts: ConnectionFlags & {
        queue: string;
        taskQueue: Partial<Record<WorkerRole, string>>;
        connectTimeout: string;
        threads?: string;
        metricsPort?: string;
        runtimeMetricsPort?: string;
        metricsHost: string;
      }
    ) => {
      const roles: WorkerRole[] =
        opts.queue === 'all'
          ? ALL_ROLES
          : ALL_ROLES.includes(opts.queue as WorkerRole)
            ? [opts.queue as WorkerRole]
            : opts.queue.split(',').every((r) => ALL_ROLES.includes(r as WorkerRole))
              ? (opts.queue.split(',') as WorkerRole[])
              : [];
      if (roles.length === 0)
        throw new Error(`--queue must be one of main, gpu, cpu, io, all or a comma list (got '${opts.queue}')`);
      const timeoutS = Number(opts.connectTimeout);
      if (!Number.isFinite(timeoutS) || timeoutS < 0)
        throw new Error(`--connect-timeout must be a number of seconds (got '${opts.connectTimeout}')`);
      // Read by engine/backend.ts when the first GPU activity loads the backend, which has not happened yet.
      if (opts.threads !== undefined) process.env.OMNI_ZERO_THREADS = String(parseThreads(opts.threads, '--threads'));
      const cfg = temporalConnectConfig(opts);
      const metricsPort = port('--metrics-port', opts.metricsPort);
      const runtimePort = port('--runtime-metrics-port', opts.runtimeMetricsPort);
      installRuntime('INFO', runtimePort ? { metricsAddress: `${opts.metricsHost}:${runtimePort}` } : {});
      if (metricsPort) {
        subscribeStepMetrics();
        const server = await startMetricsServer({ registry, port: metricsPort, host: opts.metricsHost });
        console.error(`worker: metrics at ${server.url}`);
      }
      if (runtimePort)
        console.error(`worker: Temporal runtime metrics at http://${opts.metricsHost}:${runtimePort}/metrics`);
      const codec = codecFromEnv();
      const connection = await connectWithRetry(cfg, timeoutS * 1000);
      const workers = await createWorkers({
        connection,
        namespace: cfg.namespace,
        roles,
        taskQueues: opts.taskQueue,
        codec,
      });
      let missingKey: Error | null = null;
      // A worker without a run's key would fail each of its tasks (workflow tasks retry, but activity attempts
      // count): it stops polling at the first one, leaving the tasks to a worker that holds the key.
      codec?.onUnknownKey((err) => {
        if (missingKey) return;
        missingKey = err;
        for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      });
      const encryption = codec ? `, payloads encrypted with codec key '${codec.ring.currentKeyId}'` : '';
      console.error(
        `worker: polling ${workers.map((w) => w.options.taskQueue).join(', ')} on ${cfg.connectionOptions.address} ` +
          `(namespace ${cfg.namespace}, ${cfg.security})${encryption}`
      );
      await runWorkers(workers);
      await connection.close();
      if (missingKey) throw new Error(`worker stopped: ${(missingKey as Error).message}`);
    }
  );
}
