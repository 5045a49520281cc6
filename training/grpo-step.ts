/**
 * One RL step's GRPO update on the step's records, and the step's metrics record: what the update activity runs
 * between reading the records and writing the snapshot and metrics.
 */
import type { Policy } from '../engine/policy.ts';
import type { GrpoProgress, GrpoStepMetrics } from '../engine/train/grpo.ts';
import type { Params } from '../engine/types.ts';
import type { BatchAdvantages } from '../rl/advantages.ts';
import { type StepSampleFacts, stepMetricsByTask } from '../rl/step-metrics.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import type { RewardRecord } from '../schemas/records/reward-record.ts';
import type { RolloutRecord } from '../schemas/records/rollout-record.ts';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import { templateOf } from './policy-config.ts';
import { promptIds } from './sampling.ts';
import {
  type DynamicSamplingCounts,
  grpoTrainOptions,
  grpoTrainSamples,
  scoredAdvantages,
  trainedRollouts,
} from './update-batch.ts';

export interface GrpoStepOptions {
  config: ExperimentConfig;
  stage: string;
  learningRate: number;
  /** Draws the step's records come from: 1, plus dynamic sampling's extra draws. */
  draws: number;
  /** The frozen reference's weights, asked for only when some sample's β > 0. */
  reference: () => Promise<Params>;
  /** Called after every micro-batch of the update. */
  onProgress?: (p: GrpoProgress) => void;
}

export interface GrpoStepResult {
  /** The update's metrics; null when no sample had a defined reward (the step counts, the weights do not move). */
  train: GrpoStepMetrics | null;
  /** The advantages of every response drawn, which the step's metrics describe. */
  advantages: BatchAdvantages;
  /** What dynamic sampling kept, when it is on. */
  dynamicSampling: DynamicSamplingCounts | null;
}

/**
 * Updates `policy` in place on the step's scored rollouts (those dynamic sampling keeps, when it is on) and advances
 * its step count.
 */
export async function grpoStep(
  policy: Policy,
  rows: readonly DatasetRow[],
  rollouts: readonly RolloutRecord[],
  rewards: readonly RewardRecord[],
  o: GrpoStepOptions
): Promise<GrpoStepResult> {
  const template = templateOf(o.config);
  const trained = trainedRollouts(rollouts, rewards, o.config, o.draws);
  const { samples, advantages } = grpoTrainSamples(
    trained.rollouts,
    rewards,
    (i) => promptIds(policy, rows[i], template),
    o.config,
    o.stage
  );
  // The step's metrics describe every response drawn; what dynamic sampling kept is in `dynamicSampling`.
  const drawn = trained.counts ? scoredAdvantages(rollouts, rewards, o.config).advantages : advantages;
  const result = { advantages: drawn, dynamicSampling: trained.counts };
  const reference = samples.some((x) => (x.klCoef ?? 0) > 0) ? await o.reference() : undefined;
  if (samples.length === 0) {
    policy.step += 1; // every sample undefined: the step happens, the weights do not move
    return { train: null, ...result };
  }
  const train = await policy.train(samples, {
    ...grpoTrainOptions(o.config),
    ...(reference ? { reference } : {}),
    learningRate: o.learningRate,
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  });
  return { train, ...result };
}

/** Where a step's metrics record comes from besides its records: its place in the run and its phases' times. */
export interface StepContext {
  step: number;
  stage: string;
  window: number;
  learningRate: number;
  timings: StepMetrics['timings'];
}

/** The step's metrics record: the update's metrics and the per-task means of its rollouts and rewards. */
export function stepMetricsOf(
  config: ExperimentConfig,
  rollouts: readonly RolloutRecord[],
  rewards: readonly RewardRecord[],
  { train, advantages, dynamicSampling }: GrpoStepResult,
  at: StepContext
): StepMetrics {
  const rewardOf = new Map(rewards.map((r) => [r.id, r]));
  const facts: StepSampleFacts[] = rollouts.map((r) => {
    const rw = rewardOf.get(r.id);
    const acc = rw?.components.accuracy ?? null;
    return {
      task: r.task,
      total: rw?.total ?? null,
      components: { ...(rw?.components ?? {}) },
      correct: acc === null || r.kind === 'writing' ? null : acc >= config.rewards.verifiable.correct,
      thinkTokens: rw?.facts?.thinkTokens ?? 0,
      answerTokens: rw?.facts?.answerTokens ?? 0,
      thinkChars: rw?.facts?.thinkChars ?? 0,
      answerChars: rw?.facts?.answerChars ?? 0,
      responseTokens: r.tokens.length,
      truncated: r.truncated,
    };
  });
  const byTask = stepMetricsByTask(facts, advantages.perTask);
  return {
    step: at.step,
    stage: at.stage,
    window: at.window,
    learningRate: at.learningRate,
    loss: train?.loss ?? 0,
    clipFraction: train?.clipFrac ?? 0,
    klApprox: train?.approxKl ?? 0,
    ...(train?.refKl !== undefined ? { refKl: train.refKl } : {}),
    entropy: train?.entropy ?? 0,
    ...(train ? { gradNorm: train.gradNorm } : {}),
    rewardMean: byTask.rewardMean,
    zeroVarianceGroupFraction: advantages.zeroVarianceFraction,
    truncatedFraction: byTask.truncatedFraction,
    perTask: byTask.perTask,
    ...(dynamicSampling ? { dynamicSampling } : {}),
    timings: at.timings,
  };
}
