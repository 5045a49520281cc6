/**
 * `pretrainRun`: the continued-pretraining baseline (SPEC §10) as a run of its own. Its config is the RL run it is
 * compared with; it trains the base by next-token loss on the base's own pretraining corpus (the synthetic worlds'
 * corpus models/demo-base was made from, training/base-corpus.ts) for the wall time that run took. The budget is
 * decided here, from recorded facts — the compared run's wall time (given), this workflow's clock and each chunk's
 * recorded duration — so a replay runs exactly the chunks the first execution ran; then it checkpoints and evaluates
 * like any run.
 */
import type { PolicyRef } from '../activities/types.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { activity } from './activity-proxy.ts';
import { anotherChunkFits } from './baseline-budget.ts';
import { type BaselineRun, type BaselineStart, finishBaseline, oneStagePlan, startBaseline } from './baseline-run.ts';
import type { ExperimentResult } from './experiment.ts';
import { type RunPlan, runLearningRate } from './run-plan.ts';

export interface PretrainOptions {
  /** The variant whose wall time this run matches (recorded in the plan). */
  sameWallTimeAs: string;
  /** That run's wall time, ms. */
  wallMs: number;
  /** Optimiser steps per training activity: the granularity of the wall-time budget. */
  stepsPerChunk: number;
  /** Sequences per optimiser step. */
  batchSize: number;
  /** Learning rate; default the RL run's. */
  learningRate?: number;
}

export interface PretrainRunStart extends BaselineStart {
  pretrain: PretrainOptions;
}

export const PRETRAIN_STAGE = 'pretrain';

/** The one-stage plan: its one step stands for the training, whose length the wall time decides. */
export function pretrainPlan(config: ExperimentConfig, p: PretrainOptions): RunPlan & { pretrain: unknown } {
  const learningRate = p.learningRate ?? runLearningRate(config);
  const summary = `continued pretraining for the wall time of ${p.sameWallTimeAs} (${Math.round(p.wallMs / 1000)} s)`;
  return {
    ...oneStagePlan(config, PRETRAIN_STAGE, 1, summary),
    pretrain: { ...p, learningRate, corpus: 'the base corpus of the config’s synthetic worlds' },
  };
}

export async function pretrainRun(input: PretrainRunStart): Promise<ExperimentResult> {
  const started = Date.now();
  const b = await startBaseline(input, (config) => pretrainPlan(config, input.pretrain));
  b.progress.setStatus('training');
  const policy = await trainForWallTime(b, input.pretrain, started);
  return finishBaseline(b, policy);
}

/** Chunks of training while the next one and the final evaluation still end within the compared run's wall time. */
async function trainForWallTime(b: BaselineRun, p: PretrainOptions, started: number): Promise<PolicyRef> {
  const fineTune = activity(b.o, b.o.taskQueues.gpu, 'fineTune');
  const learningRate = p.learningRate ?? runLearningRate(b.config);
  let policy = b.basePolicy;
  let lastChunkMs = 0;
  for (let chunk = 0; ; chunk++) {
    const budget = { budgetMs: p.wallMs, elapsedMs: Date.now() - started, lastChunkMs, evaluationMs: b.baseEval.ms };
    if (!anotherChunkFits(budget, chunk)) break;
    const chunkStarted = Date.now();
    const out = await fineTune({
      run: b.run,
      policy,
      stage: PRETRAIN_STAGE,
      corpus: { type: 'base-corpus' },
      chunk,
      steps: p.stepsPerChunk,
      batchSize: p.batchSize,
      learningRate,
    });
    policy = out.policy;
    lastChunkMs = Date.now() - chunkStarted;
    b.progress.state.step = policy.step;
  }
  return policy;
}
