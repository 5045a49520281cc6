/**
 * One RL step (DESIGN "One RL step, as data"): rollout (gpu) → score (cpu) → update (gpu), with the next step's batch
 * sampled during the update: it needs only the data cursor, so its round trip leaves the critical path.
 *
 * The score is scheduled together with the rollout and waits in its worker for the rollout's output
 * (activities/dataflow.ts), so no workflow round trip sits between them; a rollout that fails cancels it
 * (step-rollout.ts). With dynamic sampling on, more batches are drawn and scored before the update (step-draws.ts).
 * The update is scheduled only after the score: the worker holding the policy takes one activity at a time, and a
 * task queued behind a busy worker can wait out its schedule-to-start timeout.
 */
import type { DataCursor, PolicyRef, RunRef, SampleBatchOutput, UpdateOutput } from '../activities/types.ts';
import type { OrchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';
import type { GpuRoute } from './gpu-route.ts';
import { drawMore } from './step-draws.ts';
import { rolloutAndScore } from './step-rollout.ts';

export interface StepInput {
  run: RunRef;
  /** Global step. */
  step: number;
  stage: { index: number; name: string };
  /** The policy the step samples from and updates. */
  policy: PolicyRef;
  /** This step's prompts; `batch.cursor` is the data cursor after them. */
  batch: SampleBatchOutput;
  /** Response window in force, tokens. */
  window: number;
  learningRate: number;
  /** Asked once the score is in: whether the stage runs a next step, whose batch is then sampled. */
  hasNextStep: () => boolean;
}

export interface StepOutput {
  updated: UpdateOutput;
  /** The next step's batch; null when the stage had no next step. */
  nextBatch: SampleBatchOutput | null;
  /** The data cursor after the step: after its batch, or after its last extra draw. */
  cursor: DataCursor;
}

export async function runStep(o: OrchestrationSettings, gpu: GpuRoute, input: StepInput): Promise<StepOutput> {
  const { run, step, policy, batch, window } = input;
  const first = { run, step, policy, batch, window, draw: 0, stageIndex: input.stage.index };
  const { rollout, scored } = await rolloutAndScore(o, gpu, first);
  const extra = o.dynamicSampling ? await drawMore(o, gpu, first, scored) : null;
  const cursor = extra?.cursor ?? batch.cursor;
  const updating = gpu.update({
    run,
    step,
    stage: input.stage.name,
    policy,
    promptsKey: batch.promptsKey,
    rolloutsKey: rollout.rolloutsKey,
    rewardsKey: scored.rewardsKey,
    window,
    learningRate: input.learningRate,
    cursor,
    timings: {
      rolloutMs: rollout.ms + (extra?.ms.rollout ?? 0),
      scoringMs: scored.ms + (extra?.ms.scoring ?? 0),
      ...(rollout.timings ? { rolloutShards: rollout.timings } : {}),
    },
    ...(extra ? { draws: extra.draws } : {}),
  });
  // A batch sampled for a step the stage then never runs (a stop, a budget cut) is harmless: it is keyed by stage.
  const sampleBatch = activity(o, o.taskQueues.cpu, 'sampleBatch');
  const next = { run, step: step + 1, stageIndex: input.stage.index, cursor };
  const [updated, nextBatch] = await Promise.all([updating, input.hasNextStep() ? sampleBatch(next) : null]);
  gpu.heldBy(updated.workerQueue);
  return { updated, nextBatch, cursor };
}
