/** `omni-zero worker --queue gpu|cpu|main|all`: polls the task queues of one role (or all) until SIGTERM/SIGINT. */
import { NativeConnection } from '@temporalio/worker';
import type { Command } from 'commander';
import { createWorkers, runWorkers } from '../../workers/create-workers.ts';
import { installRuntime } from '../../workers/runtime.ts';
import { ALL_ROLES, type WorkerRole } from '../../workers/task-queues.ts';
import { temporalAddress } from '../temporal-client.ts';

export function register(program: Command): void {
  program
    .command('worker')
    .description(
      'run a worker: main (workflows), gpu (rollout, update, evaluation), cpu (scoring, data), io (checkpoints), or all'
    )
    .option('--queue <role>', 'main | gpu | cpu | io | all', 'all')
    .option('--address <host:port>', 'Temporal frontend (default TEMPORAL_ADDRESS or 127.0.0.1:7233)')
    .action(async (opts: { queue: string; address?: string }) => {
      const roles: WorkerRole[] =
        opts.queue === 'all'
          ? ALL_ROLES
          : ALL_ROLES.includes(opts.queue as WorkerRole)
            ? [opts.queue as WorkerRole]
            : [];
      if (roles.length === 0) throw new Error(`--queue must be one of main, gpu, cpu, io, all (got '${opts.queue}')`);
      installRuntime('INFO');
      const address = temporalAddress(opts.address);
      const connection = await NativeConnection.connect({ address });
      const workers = await createWorkers({ connection, roles });
      console.error(`worker: polling ${workers.map((w) => w.options.taskQueue).join(', ')} on ${address}`);
      await runWorkers(workers);
      await connection.close();
    });
}
