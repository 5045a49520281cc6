/**
 * `rftRun`: Omni-Think's SFT baseline (§4.3: rejection-sampling fine-tuning after Yuan et al. 2023) as a run of its
 * own. Its config is the RL run it is compared with. One round per RL step draws that step's number of training
 * prompts (a joint mixture of the tasks, seeded like the RL batches) and samples k responses each from the base,
 * seeded by prompt key like any rollout, scored by the same reward; the responses the reward marks correct are kept
 * (training/keep-correct.ts) and the base is fine-tuned on them by next-token loss on the response tokens with the RL
 * run's update budget (baseline-budget.ts sftBudget), then checkpointed and evaluated like any run.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { CollectCorrectOutput, DataCursor, PolicyRef, RftRound } from '../activities/types.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { activity } from './activity-proxy.ts';
import { type SftBudget, sftBudget } from './baseline-budget.ts';
import { type BaselineRun, type BaselineStart, finishBaseline, oneStagePlan, startBaseline } from './baseline-run.ts';
import type { ExperimentResult } from './experiment.ts';
import { GpuRoute } from './gpu-route.ts';
import { type RunPlan, runLearningRate, runPlan, windowAtStep } from './run-plan.ts';
import { rolloutAndScore } from './step-rollout.ts';

export interface RftOptions {
  /** Responses sampled per training prompt (OT: 128). */
  k: number;
  /** Score on the held-out scale a judged or constraint-scored response needs to be kept. */
  judgedThreshold: number;
  /** Fine-tuning learning rate; default the RL run's. */
  learningRate?: number;
  /** Optimiser steps per fine-tuning activity. */
  stepsPerChunk: number;
}

export interface RftRunStart extends BaselineStart {
  rft: RftOptions;
}

export const RFT_STAGE = 'rft';

/** The RL plan's rounds and update budget, and the RFT run's one-stage plan that records them. */
export function rftPlan(config: ExperimentConfig, rft: RftOptions): RunPlan & { rft: RftPlan } {
  const rl = runPlan(config);
  const budget = sftBudget(rl.totalSteps, rl.batch);
  const learningRate = rft.learningRate ?? runLearningRate(config);
  const summary = `rejection-sampling fine-tuning, k = ${rft.k}, ${budget.steps} steps × ${budget.batchSize}`;
  return {
    ...oneStagePlan(config, RFT_STAGE, budget.steps, summary),
    rft: {
      ...rft,
      learningRate,
      rounds: rl.totalSteps,
      promptsPerRound: rl.batch.promptsPerStep,
      windows: Array.from({ length: rl.totalSteps }, (_, step) => windowAtStep(rl, step) ?? 0),
      budget,
      budgetRule: 'the RL run’s optimiser steps × its mini-batch sequences (prompts × G)',
    },
  };
}

export interface RftPlan extends RftOptions {
  learningRate: number;
  /** Sampling rounds: one per RL step, each that step's prompts × k. */
  rounds: number;
  promptsPerRound: number;
  /** The RL run's response window at each round's step. */
  windows: number[];
  budget: SftBudget;
  budgetRule: string;
}

export async function rftRun(input: RftRunStart): Promise<ExperimentResult> {
  const b = await startBaseline(input, (config) => rftPlan(config, input.rft));
  const { rft } = rftPlan(b.config, input.rft);
  b.progress.setStatus('training');
  const rounds = await sampleRounds(b, rft);
  const kept = await activity(
    b.o,
    b.o.taskQueues.cpu,
    'collectCorrect'
  )({
    run: b.run,
    rounds,
    judgedThreshold: rft.judgedThreshold,
  });
  refuseNothingKept(b, kept);
  const policy = await fineTuneChunks(b, rft, kept.keptKey);
  return finishBaseline(b, policy);
}

/** One round per RL step: that step's batch drawn for the one stage, k responses each from the base, scored. */
async function sampleRounds(b: BaselineRun, rft: RftPlan): Promise<RftRound[]> {
  const gpu = new GpuRoute(b.o);
  const sampleBatch = activity(b.o, b.o.taskQueues.cpu, 'sampleBatch');
  const rounds: RftRound[] = [];
  let cursor: DataCursor = {};
  for (let step = 0; step < rft.rounds; step++) {
    const batch = await sampleBatch({ run: b.run, step, stageIndex: 0, cursor });
    cursor = batch.cursor;
    const window = rft.windows[step];
    const request = { run: b.run, step, policy: b.basePolicy, batch, window, draw: 0, samplesPerPrompt: rft.k };
    const { rollout, scored } = await rolloutAndScore(b.o, gpu, request);
    rounds.push({
      step,
      promptsKey: batch.promptsKey,
      rolloutsKey: rollout.rolloutsKey,
      rewardsKey: scored.rewardsKey,
    });
  }
  return rounds;
}

function refuseNothingKept(b: BaselineRun, kept: CollectCorrectOutput): void {
  if (kept.kept > 0) return;
  const sampled = Object.entries(kept.perTask).map(([t, c]) => `${t} ${c.sampled}`);
  b.progress.setStatus('failed');
  throw ApplicationFailure.nonRetryable(
    `${b.run.runId}: none of the sampled responses was correct (${sampled.join(', ')}): nothing to fine-tune on; raise rft.k, lower rft.judgedThreshold or start from a stronger base`,
    'NothingToFineTune'
  );
}

/** The budget's steps in chunks, each continuing from the policy the last one wrote. */
async function fineTuneChunks(b: BaselineRun, rft: RftPlan, keptKey: string): Promise<PolicyRef> {
  const fineTune = activity(b.o, b.o.taskQueues.gpu, 'fineTune');
  let policy = b.basePolicy;
  for (let done = 0, chunk = 0; done < rft.budget.steps; chunk++) {
    const steps = Math.min(rft.stepsPerChunk, rft.budget.steps - done);
    const out = await fineTune({
      run: b.run,
      policy,
      stage: RFT_STAGE,
      corpus: { type: 'rft', keptKey },
      chunk,
      steps,
      batchSize: rft.budget.batchSize,
      learningRate: rft.learningRate,
    });
    policy = out.policy;
    done += steps;
    b.progress.state.step = done;
  }
  return policy;
}
