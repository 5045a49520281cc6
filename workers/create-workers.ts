/**
 * Builds the Temporal workers of one process for the given roles. Libraries stay Temporal-free; this is where
 * activities and workflows meet the task queues.
 */

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { type NativeConnection, Worker } from '@temporalio/worker';
import { activitiesFor } from '../activities/index.ts';
import { setOwnGpuQueue } from '../activities/worker-queue.ts';
import { codecFromEnv, dataConverterFor } from './data-converter.ts';
import type { EncryptionCodec } from './encryption-codec.ts';
import { TASK_QUEUES, type WorkerRole } from './task-queues.ts';
import { activityTelemetry } from './telemetry.ts';
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
  /** Payload encryption; default: as the environment configures it (workers/data-converter.ts), null: none. */
  codec?: EncryptionCodec | null;
}

export async function createWorkers(opts: CreateWorkersOptions): Promise<Worker[]> {
  const queues = { ...TASK_QUEUES, ...opts.taskQueues };
  const workers: Worker[] = [];
  const dataConverter = dataConverterFor(opts.codec === undefined ? codecFromEnv() : opts.codec);
  const make = async (taskQueue: string, role: WorkerRole) => {
    const withWorkflows = role === 'main';
    return Worker.create({
      connection: opts.connection,
      namespace: opts.namespace ?? 'default',
      taskQueue,
      ...(withWorkflows ? { workflowBundle: await workflowBundle(dataConverter?.failureConverterPath) } : {}),
      dataConverter,
      activities: activitiesFor(role),
      // Phase timings for the Prometheus endpoint and the run's ids on every activity log line.
      interceptors: { activity: [activityTelemetry] },
      // One GPU activity at a time: rollout and update own the model (and the only core of the wasm backend).
      ...(role === 'gpu' ? { maxConcurrentActivityTaskExecutions: 1 } : {}),
      shutdownGraceTime: opts.shutdownGraceTime ?? '30s',
    });
  };
  for (const role of opts.roles) {
    if (role !== 'main' && Object.keys(activitiesFor(role)).length === 0) continue;
    workers.push(await make(queues[role], role));
    if (role === 'gpu') {
      // The worker-specific queue: rollout and update of a run come back here while this process holds the policy.
      const own = `${queues.gpu}-${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
      setOwnGpuQueue(own);
      workers.push(await make(own, 'gpu'));
    }
  }
  return workers;
}

/** Runs the workers until all of them stop (SIGINT/SIGTERM make the SDK shut them down gracefully). */
export async function runWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.run()));
}

/**
 * Releases workers that were created but never run, so their connection can close (it refuses while a worker holds
 * it): each runs until an already-settled promise, which shuts it down at once.
 */
export async function releaseUnrunWorkers(workers: Worker[]): Promise<void> {
  await Promise.allSettled(workers.map((w) => w.runUntil(Promise.resolve())));
}
