/**
 * Real worker processes for the crash tests: `node bin/omni-zero.js worker` with the test's task queues, Temporal
 * address and S3 environment, so a kill is a real `kill -9` of a process and a restart is a new process.
 */
import {
  spawnWorker as spawnWorkerProcess,
  type WorkerProcess,
  type WorkerProcessOptions,
} from '../../workers/worker-process.ts';

export type { WorkerProcess, WorkerProcessOptions };

export function spawnWorker(o: WorkerProcessOptions): Promise<WorkerProcess> {
  return spawnWorkerProcess({ ...o, env: { OMNI_ZERO_LOG_LEVEL: 'WARN', ...o.env } });
}
