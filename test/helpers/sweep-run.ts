/** Runs a sweep workflow to its end on the test's queues and checks that every one of its runs completed. */
import assert from 'node:assert/strict';
import type { WorkerRole } from '../../workers/task-queues.ts';
import type { SweepResult } from '../../workflows/sweep.ts';
import type { TemporalTestEnv } from './temporal.ts';

/** The sweep's result and its runs' ids (`<sweep id>-<variant>-s<seed>`, in `variants` order). */
export async function executeSweep(
  env: TemporalTestEnv,
  queues: Record<WorkerRole, string>,
  sweep: { name: string; variants: { name: string }[] } & Record<string, unknown>,
  seed: number
): Promise<{ result: SweepResult; ids: string[] }> {
  const sweepId = `${sweep.name}-${Date.now()}`;
  const result = (await env.client.workflow.execute('sweep', {
    args: [{ sweep, sweepId }],
    taskQueue: queues.main,
    workflowId: sweepId,
  })) as SweepResult;
  const ids = sweep.variants.map((v) => `${sweepId}-${v.name}-s${seed}`);
  assert.deepEqual(
    result.runs.map((r) => [r.runId, r.status]),
    ids.map((id) => [id, 'completed']),
    JSON.stringify(result.runs.map((r) => r.error))
  );
  return { result, ids };
}
