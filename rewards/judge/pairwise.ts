/**
 * Combining the two presentation orders of a pairwise judgement (OT §3.1, eq. for R_writing). Position bias — judges
 * preferring whichever answer comes first — is cancelled by asking twice: once with the policy's answer as A, once as
 * B. Each order yields an outcome from the POLICY's point of view.
 */
import type { PairwiseVerdict } from './parse.ts';

/** The policy answer's outcome in one order: better than the reference, tie, or worse. */
export type PairwiseOutcome = 'win' | 'tie' | 'loss';

/**
 * `consistent` (default): 1 only if the policy wins in BOTH orders, 0 only if it loses in both, otherwise 0.5. This
 * keeps OT's three values {1, 0.5, 0} and treats disagreement between the orders (the signature of position bias) as a
 * tie. `mean`: the mean of the two orders' points (win 1, tie 0.5, loss 0), so win+tie → 0.75.
 */
export type PairwiseCombine = 'consistent' | 'mean';

/**
 * What to do when one order's call failed (retries exhausted or unparsable). `null` (default): the component is
 * undefined, because a single order carries exactly the position bias the second call exists to cancel. `single`: use
 * the surviving order's points alone.
 */
export type OneOrderFailed = 'null' | 'single';

/** `verdict` names the judge's preferred slot; `policySlot` says where the policy's answer was shown. */
export function outcomeFor(verdict: PairwiseVerdict, policySlot: 'A' | 'B'): PairwiseOutcome {
  if (verdict === 'tie') return 'tie';
  return verdict === policySlot ? 'win' : 'loss';
}

const POINTS: Record<PairwiseOutcome, number> = { win: 1, tie: 0.5, loss: 0 };

/** R_writing from the two orders (policy-as-A first, policy-as-B second); null when undefined per `onFailure`. */
export function combinePairwise(
  policyFirst: PairwiseOutcome | null,
  policySecond: PairwiseOutcome | null,
  combine: PairwiseCombine = 'consistent',
  onFailure: OneOrderFailed = 'null'
): number | null {
  if (policyFirst === null || policySecond === null) {
    const survivor = policyFirst ?? policySecond;
    return survivor !== null && onFailure === 'single' ? POINTS[survivor] : null;
  }
  if (combine === 'mean') return (POINTS[policyFirst] + POINTS[policySecond]) / 2;
  if (policyFirst === 'win' && policySecond === 'win') return 1;
  if (policyFirst === 'loss' && policySecond === 'loss') return 0;
  return 0.5;
}
