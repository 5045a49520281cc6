/**
 * Activities by worker role. Each activity is a thin adapter: read inputs from the blob store, call a library, write
 * outputs, heartbeat, return a small summary. (The RL step activities arrive with the orchestration work.)
 */
import type { WorkerRole } from '../workers/task-queues.ts';

export function activitiesFor(_role: WorkerRole): Record<string, (...args: any[]) => Promise<unknown>> {
  return {};
}
