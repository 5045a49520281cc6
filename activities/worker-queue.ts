/**
 * This process's own GPU task queue (DESIGN: worker-specific task queues). A GPU worker polls the shared GPU queue
 * and this one; rollout and update report it, and the stage workflow routes the next ones here so the policy stays
 * in memory. Set once by workers/create-workers.ts.
 */
let own: string | null = null;

export function setOwnGpuQueue(name: string): void {
  own = name;
}

export function ownGpuQueue(): string {
  if (!own) throw new Error('this worker has no GPU queue of its own (GPU activities run only on GPU workers)');
  return own;
}
