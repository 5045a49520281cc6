/**
 * The negative control of the replay test: today's workflows with one deliberate, non-patched change each — the
 * experiment and the stage schedule an extra activity before anything else. Replaying a recorded history against this
 * must fail with a determinism error; if it did not, the replay test could not catch a real incompatible change.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../../../activities/index.ts';
import { experiment as currentExperiment } from '../../../workflows/experiment.ts';
import { stage as currentStage, type StageInput } from '../../../workflows/stage.ts';

const { initRun } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });
const extraActivity = () =>
  initRun({ run: { experiment: 'x', runId: 'x', base: 'file:///tmp/x', configHash: 'x' }, config: {}, plan: {} });

export async function experiment(input: unknown): ReturnType<typeof currentExperiment> {
  await extraActivity();
  return currentExperiment(input);
}

export async function stage(input: StageInput): ReturnType<typeof currentStage> {
  await extraActivity();
  return currentStage(input);
}
