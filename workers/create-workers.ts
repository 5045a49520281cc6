/**
 * Builds the Temporal workers of one process for the given roles. Libraries stay Temporal-free; this is where
 * activities and workflows meet the task queues.
 */
import { type NativeConnection, Worker } from '@temporalio/worker';
import { activitiesFor } from '../activities/index.ts';
import { TASK_QUEUES, type WorkerRole } from './task-queues.ts';
import { workflowBundle } from './workflow-bundle.ts';

export interface CreateWorkersOptions {
  connection: NativeConnection;
  /** Temporal namespace. Default `default`. */
  namespace?: string;
  roles: WorkerRole[];
  /** Override queue names (tests use unique ones so parallel test files never share tasks). */
  taskQueues?: Partial<Record<WorkerRole, string>>;
  /** Grace period for in-flight activities on SIGTERM before they are cancelled. Default '30s'. */
  shutdownGraceTime?: string;
}

export async function createWorkers(opts: CreateWorkersOptions): Promise<Worker[]> {
  const queues = { ...TASK_QUEUES, ...opts.taskQueues };
  const workers: Worker[] = [];
  for (const role of opts.roles) {
    const activities = activitiesFor(role);
    const withWorkflows = role === 'main';
    if (!withWorkflows && Object.keys(activities).length === 0) continue;
    workers.push(
      await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace ?? 'default',
        taskQueue: queues[role],
        ...(withWorkflows ? { workflowBundle: await workflowBundle() } : {}),
        activities,
        shutdownGraceTime: opts.shutdownGraceTime ?? '30s',
      })
    );
  }
  return workers;
}

/** Runs the workers until all of them stop (SIGINT/SIGTERM make the SDK shut them down gracefully). */
export async function runWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.run()));
}
