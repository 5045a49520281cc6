/**
 * What the update activity feeds the GRPO update, as pure functions of the config and the step's records: the
 * advantages over the samples whose total reward is defined, the GrpoSamples (prompt ids, sampled tokens, advantage,
 * rollout log-probs unless a sampling filter makes them another distribution's, each with its task's KL β) and the update options. Shared with scripts/grpo-probe.ts so the in-process probe trains with
 * exactly what a run trains with.
 */
import { reshapesDistribution } from '../engine/logits-processing.ts';
import type { AdamOptions } from '../engine/train/adam.ts';
import type { GrpoOptions, GrpoSample } from '../engine/train/grpo.ts';
import { type BatchAdvantages, batchAdvantages } from '../rl/advantages.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';

/** The fields of a rollout record the update reads. */
export interface UpdateRollout {
  id: string;
  groupId: string;
  task: string;
  promptIndex: number;
  tokens: number[];
  oldLogProbs: number[];
  truncated: boolean;
}

/** The fields of a reward record the update reads. */
export interface UpdateReward {
  id: string;
  total: number | null;
}

export interface TrainBatch {
  /** One per rollout whose total is defined, in rollout order. */
  samples: GrpoSample[];
  /** The rollouts the samples came from (aligned with `samples`). */
  scored: UpdateRollout[];
  advantages: BatchAdvantages;
}

/** The stage's β per task: the stage's `kl` over `grpo.kl`, a task's β_k over the coefficient (OT MT-GRPO). */
export function klCoefOf(config: Pick<ExperimentConfig, 'grpo' | 'schedule'>, stage: string): (task: string) => number {
  const own = config.schedule.stages.find((s) => s.name === stage)?.kl;
  const coef = own?.coef ?? config.grpo.kl.coef;
  const perTask = own?.perTask ?? config.grpo.kl.perTask;
  return (task) => perTask[task] ?? coef;
}

export function grpoTrainSamples(
  rollouts: readonly UpdateRollout[],
  rewards: readonly UpdateReward[],
  promptIds: (promptIndex: number) => number[],
  config: Pick<ExperimentConfig, 'grpo' | 'schedule' | 'rollout'>,
  stage: string
): TrainBatch {
  const beta = klCoefOf(config, stage);
  const rewardOf = new Map(rewards.map((r) => [r.id, r]));
  const g = config.grpo;
  const scored = rollouts.filter((r) => rewardOf.has(r.id) && rewardOf.get(r.id)!.total !== null);
  const advantages = batchAdvantages(
    scored.map((r) => ({ task: r.task, prompt: r.groupId, reward: rewardOf.get(r.id)!.total as number })),
    { estimator: g.advantage.estimator, epsilon: g.advantage.epsilon, scope: g.advantage.scope }
  );
  // With a filter on, π_old is rescored by the trainer (verl recomputes old_log_prob the same way).
  const samplerIsTrainer = !reshapesDistribution(config.rollout);
  const samples: GrpoSample[] = scored.map((r, i) => ({
    prompt: promptIds(r.promptIndex),
    response: r.tokens,
    advantage: advantages.advantages[i],
    ...(samplerIsTrainer ? { oldLogprobs: r.oldLogProbs } : {}),
    truncated: r.truncated,
    klCoef: beta(r.task),
  }));
  return { samples, scored, advantages };
}

/**
 * The GRPO update and Adam options of a config (the learning rate comes from the step's schedule, β per sample from
 * grpoTrainSamples; the caller adds the reference policy when some β > 0).
 */
export function grpoTrainOptions(
  config: Pick<ExperimentConfig, 'grpo' | 'rollout'>
): GrpoOptions & { adam: Omit<AdamOptions, 'learningRate'> } {
  const g = config.grpo;
  return {
    adam: { beta1: g.adam.beta1, beta2: g.adam.beta2, epsilon: g.adam.epsilon, weightDecay: g.adam.weightDecay },
    epsilonLow: g.clip.low,
    epsilonHigh: g.clip.high,
    dualClip: g.clip.dual ?? null,
    aggregation: g.loss.aggregation,
    aggregationConstant: g.loss.constant,
    entropyCoef: g.entropyCoef,
    klEstimator: g.kl.estimator,
    epochs: g.epochs,
    maskTruncated: g.maskTruncated,
    miniBatches: config.rollout.promptsPerStep / g.miniBatchSize!,
    microBatchSize: Math.max(1, (g.miniBatchSize! * config.rollout.groupSize) / g.gradientAccumulation),
    maxGradNorm: g.gradClip > 0 ? g.gradClip : Number.POSITIVE_INFINITY,
    temperature: config.rollout.temperature,
  };
}
