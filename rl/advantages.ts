/**
 * Outcome advantages within a group of G responses to one prompt (SPEC §4; GRPO, Dr. GRPO, RLOO).
 * The same advantage applies to every token of a response, so these return one number per response.
 */

import { GRPO_DEFAULTS } from '../schemas/experiment/defaults.ts';
import { lookUp, RlInputError, requireFinite, requireNonNegative } from './errors.ts';
import { withDefaults } from './options.ts';
import { allEqual, mean, sampleStd } from './stats.ts';

export type AdvantageEstimatorName = 'grpo' | 'drgrpo' | 'rloo';

export interface AdvantageOptions {
  /** `'grpo'` (std-normalised, default), `'drgrpo'` (mean-centred only, Dr. GRPO) or `'rloo'` (leave-one-out baseline). */
  estimator?: AdvantageEstimatorName;
  /** ε added to the std in `'grpo'`. Default 1e-6 (verl; TRL uses 1e-4, OpenRLHF 1e-9). */
  epsilon?: number;
  /**
   * A group of one response has no baseline. `'zero'` (default): advantage 0, the group carries no signal like any
   * zero-variance group. `'raw'`: verl's rule (mean := 0, std := 1), so `'grpo'` gives r/(1+ε), the others r.
   */
  singleton?: 'zero' | 'raw';
}

export interface BatchAdvantageOptions extends AdvantageOptions {
  /**
   * Where `'grpo'`'s std comes from. `'group'` (default): the prompt's own G responses (GZ, OT). `'task-batch'`: all
   * responses of the same task in the batch, the mean staying per group (TRL `scale_rewards="batch"`, per task).
   * Ignored by `'drgrpo'` and `'rloo'`, which use no std.
   */
  scope?: 'group' | 'task-batch';
}

export const DEFAULT_ADVANTAGE: Readonly<Required<AdvantageOptions>> = Object.freeze({
  ...GRPO_DEFAULTS.advantage,
  singleton: 'zero',
});

/** `std` replaces the group's own std when the scope is wider than the group (`'task-batch'`). */
type Estimator = (rewards: readonly number[], epsilon: number, std?: number) => number[];

/** `A_i = (R_i − mean(R)) / (std(R) + ε)`, sample std (n − 1) as in verl, TRL and OpenRLHF (rl-anchors §2.1). */
const grpo: Estimator = (rewards, epsilon, std) => {
  const m = mean(rewards);
  const s = std ?? sampleStd(rewards);
  if (s + epsilon === 0) return rewards.map(() => 0); // all equal with ε = 0: 0, not 0/0
  return rewards.map((r) => (r - m) / (s + epsilon));
};

/** Dr. GRPO: `A_i = R_i − mean(R)`; dividing by the std up-weights near-constant (too easy / too hard) groups. */
const drGrpo: Estimator = (rewards) => {
  const m = mean(rewards);
  return rewards.map((r) => r - m);
};

/** RLOO: `A_i = R_i − mean_{j≠i} R_j = G/(G−1) · (R_i − mean(R))`. */
const rloo: Estimator = (rewards) => {
  const g = rewards.length;
  const m = mean(rewards);
  return rewards.map((r) => (g / (g - 1)) * (r - m));
};

/** Advantage estimators by config name (verl's `AdvantageEstimator` registry, the subset the papers use). */
export const ADVANTAGE_ESTIMATORS: Readonly<Record<AdvantageEstimatorName, Estimator>> = Object.freeze({
  grpo,
  drgrpo: drGrpo,
  rloo,
});

/** Advantages of one group (one prompt's G responses), in the order given. */
export function groupAdvantages(rewards: readonly number[], options: AdvantageOptions = {}): number[] {
  return advantagesWithStd(rewards, options, undefined);
}

function advantagesWithStd(rewards: readonly number[], options: AdvantageOptions, std: number | undefined): number[] {
  const o = withDefaults(DEFAULT_ADVANTAGE, options);
  const estimator = lookUp(ADVANTAGE_ESTIMATORS, o.estimator, 'advantage.estimator');
  requireNonNegative(o.epsilon, 'advantage.epsilon');
  if (o.singleton !== 'zero' && o.singleton !== 'raw') {
    throw new RlInputError('advantage.singleton', `must be 'zero' or 'raw', got '${String(o.singleton)}'`);
  }
  if (rewards.length === 0) throw new RlInputError('rewards', 'a group needs at least one reward');
  rewards.forEach((r, i) => {
    requireFinite(r, `rewards[${i}]`);
  });
  if (rewards.length === 1) {
    if (o.singleton === 'zero') return [0];
    return [o.estimator === 'grpo' ? rewards[0] / ((std ?? 1) + o.epsilon) : rewards[0]];
  }
  if (allEqual(rewards)) return rewards.map(() => 0);
  return estimator(rewards, o.epsilon, std);
}

/**
 * DAPO dynamic sampling: keep a group iff its rewards have std > 0 (not all equal). A single response is not kept
 * (verl keeps it): under the default `singleton: 'zero'` it carries no signal either.
 */
export function dynamicSamplingKeep(rewards: readonly number[]): boolean {
  return rewards.length >= 2 && !allEqual(rewards);
}

/** One scored response in a batch that may mix tasks (joint training, SPEC §6). */
export interface GroupedSample {
  /** Task name (e.g. `'math'`): groups never span tasks. */
  task: string;
  /** The prompt this response answers (dataset row id or index within the batch); with `task`, it names the group. */
  prompt: string | number;
  /** The sample's total reward (undefined samples are dropped before this, see `dropUndefinedRewards`). */
  reward: number;
}

/** The group identity: (task, prompt). Two tasks that happen to share a prompt id never share a group. */
export function groupKey(task: string, prompt: string | number): string {
  return JSON.stringify([task, prompt]);
}

export interface ZeroVarianceCount {
  groups: number;
  /** Groups whose rewards are all equal (singletons included): no learning signal. */
  zeroVarianceGroups: number;
  /** `zeroVarianceGroups / groups`, 0 when there are no groups. */
  zeroVarianceFraction: number;
}

export interface BatchAdvantages extends ZeroVarianceCount {
  /** One advantage per sample, aligned with the input. */
  advantages: number[];
  /** The same counts per task, for the per-domain metrics of SPEC §8. */
  perTask: Record<string, ZeroVarianceCount>;
}

const fraction = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/**
 * Advantages for a whole batch: samples are grouped by (task, prompt) and each group is normalised on its own,
 * so rewards of different scales (judge [−5, 5] vs verifier ±1) never meet in one mean or std.
 */
export function batchAdvantages(
  samples: readonly GroupedSample[],
  options: BatchAdvantageOptions = {}
): BatchAdvantages {
  const { scope = 'group', ...groupOptions } = options;
  if (scope !== 'group' && scope !== 'task-batch') {
    throw new RlInputError('advantage.scope', `must be 'group' or 'task-batch', got '${String(scope)}'`);
  }
  const groups = new Map<string, { task: string; indices: number[] }>();
  samples.forEach((s, i) => {
    if (typeof s.task !== 'string' || s.task === '')
      throw new RlInputError(`samples[${i}].task`, 'must be a task name');
    const key = groupKey(s.task, s.prompt);
    let group = groups.get(key);
    if (!group) {
      group = { task: s.task, indices: [] };
      groups.set(key, group);
    }
    group.indices.push(i);
  });

  const advantages = new Array<number>(samples.length);
  const perTask = new Map<string, ZeroVarianceCount>();
  let zero = 0;
  const taskStd = new Map<string, number>();
  if (scope === 'task-batch') {
    const byTask = new Map<string, number[]>();
    for (const s of samples) {
      const list = byTask.get(s.task);
      if (list) list.push(s.reward);
      else byTask.set(s.task, [s.reward]);
    }
    for (const [task, rewards] of byTask) taskStd.set(task, sampleStd(rewards));
  }
  for (const { task, indices } of groups.values()) {
    const rewards = indices.map((i) => samples[i].reward);
    advantagesWithStd(rewards, groupOptions, taskStd.get(task)).forEach((a, j) => {
      advantages[indices[j]] = a;
    });
    let t = perTask.get(task);
    if (!t) {
      t = { groups: 0, zeroVarianceGroups: 0, zeroVarianceFraction: 0 };
      perTask.set(task, t);
    }
    t.groups++;
    if (allEqual(rewards)) {
      t.zeroVarianceGroups++;
      zero++;
    }
  }
  for (const t of perTask.values()) t.zeroVarianceFraction = fraction(t.zeroVarianceGroups, t.groups);
  return {
    advantages,
    groups: groups.size,
    zeroVarianceGroups: zero,
    zeroVarianceFraction: fraction(zero, groups.size),
    // fromEntries defines own properties, so even a task named '__proto__' stays an ordinary key.
    perTask: Object.fromEntries(perTask),
  };
}
