/**
 * The negative control of the replay test: today's workflows with one deliberate, non-patched change — the
 * experiment schedules an extra activity before anything else. Replaying a recorded history against this must fail
 * with a determinism error; if it did not, the replay test could not catch a real incompatible change.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../../../activities/index.ts';
import { experiment as current } from '../../../workflows/experiment.ts';

export { stage } from '../../../workflows/stage.ts';

const { initRun } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export async function experiment(input: unknown): ReturnType<typeof current> {
  await initRun({ run: { experiment: 'x', runId: 'x', base: 'file:///tmp/x', configHash: 'x' }, config: {}, plan: {} });
  return current(input);
}
