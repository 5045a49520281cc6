/**
 * What the update activity feeds the GRPO update, as pure functions of the config and the step's records: the
 * advantages over the samples whose total reward is defined, the GrpoSamples (prompt ids, sampled tokens, advantage,
 * each with its task's KL β; no π_old: the update rescores it) and the update options. Shared with scripts/grpo-probe.ts so the in-process probe trains with exactly what a run trains with.
 */
import type { AdamOptions } from '../engine/train/adam.ts';
import type { GrpoOptions, GrpoSample } from '../engine/train/grpo.ts';
import { type BatchAdvantages, batchAdvantages, groupKey } from '../rl/advantages.ts';
import { type DrawnSample, filterGroups, trainedGroups } from '../rl/dynamic-sampling.ts';
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
  const { scored, advantages } = scoredAdvantages(rollouts, rewards, config);
  // π_old is left to the update, which rescores it with its own forward pass (verl's compute_log_prob): the sampler's
  // log-probs are another distribution's under a sampling filter, and on a backend whose rounding depends on the
  // batch's row count (tfjs-node) they move with the number of rollout shards, and the final weights with them.
  const samples: GrpoSample[] = scored.map((r, i) => ({
    prompt: promptIds(r.promptIndex),
    response: r.tokens,
    advantage: advantages.advantages[i],
    truncated: r.truncated,
    klCoef: beta(r.task),
  }));
  return { samples, scored, advantages };
}

/** The advantages of the rollouts whose total reward is defined (`scored`, in rollout order). */
export function scoredAdvantages(
  rollouts: readonly UpdateRollout[],
  rewards: readonly UpdateReward[],
  config: Pick<ExperimentConfig, 'grpo'>
): { scored: UpdateRollout[]; advantages: BatchAdvantages } {
  const total = new Map(rewards.map((r) => [r.id, r.total]));
  const scored = rollouts.filter((r) => (total.get(r.id) ?? null) !== null);
  const a = config.grpo.advantage;
  const advantages = batchAdvantages(
    scored.map((r) => ({ task: r.task, prompt: r.groupId, reward: total.get(r.id) as number })),
    { estimator: a.estimator, epsilon: a.epsilon, scope: a.scope }
  );
  return { scored, advantages };
}

/** The scored responses of a step's draws as dynamic sampling's filter reads them. */
export function drawnSamples(rollouts: readonly UpdateRollout[], rewards: readonly UpdateReward[]): DrawnSample[] {
  const rewardOf = new Map(rewards.map((r) => [r.id, r.total]));
  return rollouts.map((r) => ({ task: r.task, group: r.groupId, reward: rewardOf.get(r.id) ?? null }));
}

/** What dynamic sampling did in one step (the step metrics' `dynamicSampling`). */
export interface DynamicSamplingCounts {
  /** Batches drawn, the step's own included. */
  draws: number;
  groupsDrawn: number;
  /** Groups whose rewards are not all equal. */
  groupsKept: number;
  /** Kept groups trained on: at most `rollout.promptsPerStep`, fewer when `maxBatches` was reached first. */
  groupsTrained: number;
}

/**
 * The rollouts a step trains on: all of them, or with dynamic sampling on, those of the first `promptsPerStep` groups
 * kept over all the step's draws (rl/dynamic-sampling.ts), with the counts.
 */
export function trainedRollouts<R extends UpdateRollout>(
  rollouts: readonly R[],
  rewards: readonly UpdateReward[],
  config: Pick<ExperimentConfig, 'grpo' | 'rollout'>,
  draws: number
): { rollouts: readonly R[]; counts: DynamicSamplingCounts | null } {
  if (!config.grpo.dynamicSampling.enabled) return { rollouts, counts: null };
  const { drawn, kept } = filterGroups(drawnSamples(rollouts, rewards));
  const trained = new Set(trainedGroups(kept, config.rollout.promptsPerStep));
  return {
    rollouts: rollouts.filter((r) => trained.has(groupKey(r.task, r.groupId))),
    counts: { draws, groupsDrawn: drawn, groupsKept: kept.length, groupsTrained: trained.size },
  };
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
    memoryBudget: g.memoryBudgetMb === undefined ? undefined : g.memoryBudgetMb * 2 ** 20,
    gradientCheckpointing: g.gradientCheckpointing,
    maxGradNorm: g.gradClip > 0 ? g.gradClip : Number.POSITIVE_INFINITY,
    temperature: config.rollout.temperature,
  };
}
