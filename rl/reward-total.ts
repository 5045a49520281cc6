/**
 * Per-sample reward totals: GZ eq. 8–9 and OT §4.4's weighted sum over defined components.
 * A component value is `number | null`; `null` means *undefined* in SPEC §2's sense (judge failed after retries,
 * verifier timed out, answer unparseable where the task says "undefined" rather than "wrong").
 */

import { DEFAULT_FORMAT_WEIGHT, LENGTH_PENALTY_WEIGHT } from '../schemas/experiment/defaults.ts';
import { RlInputError, requireFinite } from './errors.ts';
import { withDefaults } from './options.ts';

export type ComponentValue = number | null;

export interface AccuracyMapping {
  /** Reward for a correct answer. Default 1 (GZ eq. 2 and OT). */
  correct?: number;
  /** Reward for an incorrect answer. Default −1 (GZ eq. 2); OT uses 0. */
  incorrect?: number;
}

export const GZ_ACCURACY: Readonly<Required<AccuracyMapping>> = Object.freeze({ correct: 1, incorrect: -1 });
export const OT_ACCURACY: Readonly<Required<AccuracyMapping>> = Object.freeze({ correct: 1, incorrect: 0 });

/** GZ eq. 2 / OT primary reward: verifier verdict → reward; an undefined verdict stays undefined. */
export function verifiableAccuracy(correct: boolean | null, mapping: AccuracyMapping = {}): ComponentValue {
  const m = withDefaults(GZ_ACCURACY, mapping);
  requireFinite(m.correct, 'accuracy.correct');
  requireFinite(m.incorrect, 'accuracy.incorrect');
  if (correct === null) return null;
  return correct ? m.correct : m.incorrect;
}

export interface GzRewardOptions {
  /** α of eq. 8–9, weight of the format reward. Default 0.5 (GZ §4.1). */
  alpha?: number;
  /** β of eq. 9, weight of the length penalty. Default 2 (GZ §4.1). */
  beta?: number;
}

export const DEFAULT_GZ_REWARD: Readonly<Required<GzRewardOptions>> = Object.freeze({
  alpha: DEFAULT_FORMAT_WEIGHT.gz,
  beta: LENGTH_PENALTY_WEIGHT,
});

export interface GzComponents {
  /** `R_acc^ver` (±1) or `R_acc^non-ver` (judge scalar in [−5, 5]). */
  accuracy: ComponentValue;
  /** `R_format` ∈ {0, 1}. */
  format: ComponentValue;
  /** `R_length` (eq. 7). Omit (or `undefined`) for verifiable tasks: its presence selects eq. 9 over eq. 8. */
  length?: ComponentValue;
}

/**
 * GZ eq. 8 (no `length`): `R = R_acc + α·R_format`; eq. 9: `R = R_acc + α·R_format + β·R_length`.
 * GZ has no notion of an undefined component, so any undefined term makes the whole total undefined (`null`):
 * the sample is then dropped before the update like OT's all-undefined samples, never scored as 0.
 */
export function gzReward(components: GzComponents, options: GzRewardOptions = {}): ComponentValue {
  const { alpha, beta } = withDefaults(DEFAULT_GZ_REWARD, options);
  requireFinite(alpha, 'alpha');
  requireFinite(beta, 'beta');
  const { accuracy, format, length } = components;
  if (accuracy === null || format === null || length === null) return null;
  requireFinite(accuracy, 'accuracy');
  requireFinite(format, 'format');
  if (length === undefined) return accuracy + alpha * format;
  requireFinite(length, 'length');
  return accuracy + alpha * format + beta * length;
}

/**
 * OT §4.4: `R = Σ_r w_r · r` over the components that are defined; `null` when none is (the sample is dropped).
 * Every component needs a weight: a component without one is a configuration mistake, not a zero.
 */
export function weightedReward(
  components: Readonly<Record<string, ComponentValue>>,
  weights: Readonly<Record<string, number>>
): ComponentValue {
  let total = 0;
  let defined = 0;
  for (const [name, value] of Object.entries(components)) {
    if (!Object.hasOwn(weights, name)) {
      throw new RlInputError(
        `weights.${name}`,
        `reward component '${name}' has no weight; add one to the task's reward weights`
      );
    }
    const w = requireFinite(weights[name], `weights.${name}`);
    if (value === null) continue;
    total += w * requireFinite(value, `components.${name}`);
    defined++;
  }
  return defined === 0 ? null : total;
}

export interface DefinedRewards {
  /** Positions (in the input) of the samples kept, in input order. */
  kept: number[];
  /** Their totals, aligned with `kept`. */
  rewards: number[];
  /** How many samples were dropped because their total was undefined (logged every step, SPEC §2). */
  dropped: number;
}

/** Drops the samples whose total is undefined before the update (OT §4.4) and counts them. */
export function dropUndefinedRewards(totals: readonly ComponentValue[]): DefinedRewards {
  const kept: number[] = [];
  const rewards: number[] = [];
  totals.forEach((value, i) => {
    if (value === null) return;
    rewards.push(requireFinite(value, `totals[${i}]`));
    kept.push(i);
  });
  return { kept, rewards, dropped: totals.length - kept.length };
}
