/**
 * Per-token KL estimators against a frozen reference policy (Schulman's k1/k2/k3; OT keeps a per-task β_k, GZ
 * sets it to 0). Clamps follow verl `kl_penalty`: only k3 ("low_var_kl") is clamped, both its log-ratio (±20) and
 * its value ([−10, 10]); k1 and k2 are returned as computed.
 */
import { lookUp, requireFinite } from './errors.ts';
import { LOG_RATIO_CLAMP } from './policy-loss.ts';

export type KlEstimatorName = 'k1' | 'k2' | 'k3';

/** verl clamps k3 to [−10, 10] (OpenRLHF too); k3 ≥ 0 in exact arithmetic, so only the upper end ever bites. */
export const K3_CLAMP = 10;

type KlEstimator = (logProb: number, refLogProb: number) => number;

const clamp = (x: number, bound: number): number => Math.min(bound, Math.max(-bound, x));

/** KL estimators by config name; arguments are log π_θ and log π_ref of the sampled token. */
export const KL_ESTIMATORS: Readonly<Record<KlEstimatorName, KlEstimator>> = Object.freeze({
  /** k1 = log π_θ − log π_ref: unbiased, can be negative. */
  k1: (logProb, refLogProb) => logProb - refLogProb,
  /** k2 = ½ (log π_θ − log π_ref)²: its gradient is the true KL gradient. */
  k2: (logProb, refLogProb) => 0.5 * (logProb - refLogProb) ** 2,
  /** k3 = exp(d) − d − 1 with d = log π_ref − log π_θ: unbiased, ≥ 0, low variance (the one OT uses). */
  k3: (logProb, refLogProb) => {
    const d = clamp(refLogProb - logProb, LOG_RATIO_CLAMP);
    return clamp(Math.exp(d) - d - 1, K3_CLAMP);
  },
});

export function klEstimate(name: KlEstimatorName, logProb: number, refLogProb: number): number {
  const estimator = lookUp(KL_ESTIMATORS, name, 'kl.estimator');
  return estimator(requireFinite(logProb, 'logProb'), requireFinite(refLogProb, 'refLogProb'));
}
