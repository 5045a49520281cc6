/**
 * Rejection sampling's filter (OT §4.3's SFT baseline, after Yuan et al. 2023): of the responses sampled from the
 * base, keep those the reward marks correct — by the same accuracy signal GRPO trains on. A verifiable task's
 * response is correct when its verifier passes (accuracy at the `correct` value); a judged or constraint-scored task
 * has no pass/fail, so its accuracy on the held-out scale (rl/step-metrics.ts evalScore: constraints met, judge grade,
 * pairwise win) must reach `judgedThreshold`. An undefined accuracy is never correct.
 */
import { type AccuracyScale, evalScore } from '../rl/step-metrics.ts';

/** The fields of a reward record the filter reads. */
export interface KeepReward {
  id: string;
  components: { accuracy: number | null };
}

export function isCorrect(accuracy: number | null, scale: AccuracyScale, judgedThreshold: number): boolean {
  const score = evalScore(accuracy, scale);
  if (score === null) return false;
  return scale.kind === 'verifier' ? score >= 1 : score >= judgedThreshold;
}

/** The rollouts whose reward record marks them correct, in rollout order (no record: not kept). */
export function keepCorrect<R extends { id: string; task: string }>(
  rollouts: readonly R[],
  rewards: readonly KeepReward[],
  scaleOf: (task: string) => AccuracyScale,
  judgedThreshold: number
): R[] {
  const accuracyOf = new Map(rewards.map((r) => [r.id, r.components.accuracy]));
  return rollouts.filter(
    (r) => accuracyOf.has(r.id) && isCorrect(accuracyOf.get(r.id) ?? null, scaleOf(r.task), judgedThreshold)
  );
}
