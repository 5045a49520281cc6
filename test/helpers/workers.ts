/** Runs real workers of the project (real workflow bundle, real activities) on unique task queues for one test. */
import { Worker } from '@temporalio/worker';
import { createWorkers } from '../../workers/create-workers.ts';
import type { WorkerRole } from '../../workers/task-queues.ts';
import type { TemporalTestEnv } from './temporal.ts';
import { uniqueTaskQueue } from './temporal.ts';

export interface RunningWorkers {
  queues: Record<WorkerRole, string>;
  stop(): Promise<void>;
}

export async function startTestWorkers(env: TemporalTestEnv, roles: WorkerRole[] = ['main']): Promise<RunningWorkers> {
  const queues = {
    main: uniqueTaskQueue('main'),
    gpu: uniqueTaskQueue('gpu'),
    cpu: uniqueTaskQueue('cpu'),
    io: uniqueTaskQueue('io'),
  };
  const workers: Worker[] = await createWorkers({ connection: env.nativeConnection, roles, taskQueues: queues });
  const running = workers.map((w) => w.run());
  return {
    queues,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.all(running);
    },
  };
}

/** One activity worker on `taskQueue` with exactly `activities` (a negative control registers broken ones). */
export async function startActivityWorker(
  env: TemporalTestEnv,
  taskQueue: string,
  activities: Record<string, (...args: any[]) => Promise<unknown>>
): Promise<{ stop(): Promise<void> }> {
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, activities });
  const running = worker.run();
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
