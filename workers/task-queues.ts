/**
 * Worker roles and their default task queues (the config's `orchestration.taskQueues` may rename them): workflows on
 * the main queue, rollout/update/evaluation on the GPU queue, reward scoring and data preparation on the CPU queue,
 * checkpoints and blob transfers on the I/O queue. A worker polls the queues of its roles.
 */
export const TASK_QUEUES = {
  main: 'omni-zero',
  gpu: 'omni-zero-gpu',
  cpu: 'omni-zero-cpu',
  io: 'omni-zero-io',
} as const;

export type WorkerRole = keyof typeof TASK_QUEUES;
export const ALL_ROLES: WorkerRole[] = ['main', 'gpu', 'cpu', 'io'];
