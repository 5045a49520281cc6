/**
 * Task queues by resource: workflows and light I/O activities on the main queue, GPU activities (rollout, update,
 * evaluation) on the GPU queue, CPU-heavy reward scoring on the CPU queue. A worker polls the queues of its role.
 */
export const TASK_QUEUES = {
  main: 'omni-zero',
  gpu: 'omni-zero-gpu',
  cpu: 'omni-zero-cpu',
} as const;

export type WorkerRole = 'main' | 'gpu' | 'cpu';
export const ALL_ROLES: WorkerRole[] = ['main', 'gpu', 'cpu'];
