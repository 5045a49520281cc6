/** `omni-zero worker --queue gpu|cpu|main|all`: polls the task queues of one role (or all) until SIGTERM/SIGINT. */
import { NativeConnection } from '@temporalio/worker';
import type { Command } from 'commander';
import { createWorkers, runWorkers } from '../../workers/create-workers.ts';
import { startMetricsServer } from '../../workers/metrics-server.ts';
import { installRuntime } from '../../workers/runtime.ts';
import { ALL_ROLES, type WorkerRole } from '../../workers/task-queues.ts';
import { registry, subscribeStepMetrics } from '../../workers/telemetry.ts';
import { temporalAddress } from '../temporal-client.ts';

function port(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new Error(`${flag} must be a TCP port 1-65535 (got '${value}')`);
  return n;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description(
      'run a worker: main (workflows), gpu (rollout, update, evaluation), cpu (scoring, data), io (checkpoints), or all'
    )
    .option('--queue <role>', 'main | gpu | cpu | io | all', 'all')
    .option('--address <host:port>', 'Temporal frontend (default TEMPORAL_ADDRESS or 127.0.0.1:7233)')
    .option(
      '--metrics-port <port>',
      'serve step metrics and phase timings at http://HOST:PORT/metrics (default off; 9464 is usual)'
    )
    .option('--runtime-metrics-port <port>', "serve the Temporal SDK's runtime metrics for Prometheus (default off)")
    .option(
      '--metrics-host <host>',
      'interface of both metrics endpoints (0.0.0.0 to be scraped from elsewhere)',
      '127.0.0.1'
    )
    .action(
      async (opts: {
        queue: string;
        address?: string;
        metricsPort?: string;
        runtimeMetricsPort?: string;
        metricsHost: string;
      }) => {
        const roles: WorkerRole[] =
          opts.queue === 'all'
            ? ALL_ROLES
            : ALL_ROLES.includes(opts.queue as WorkerRole)
              ? [opts.queue as WorkerRole]
              : [];
        if (roles.length === 0) throw new Error(`--queue must be one of main, gpu, cpu, io, all (got '${opts.queue}')`);
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
        const address = temporalAddress(opts.address);
        const connection = await NativeConnection.connect({ address });
        const workers = await createWorkers({ connection, roles });
        console.error(`worker: polling ${workers.map((w) => w.options.taskQueue).join(', ')} on ${address}`);
        await runWorkers(workers);
        await connection.close();
      }
    );
}
