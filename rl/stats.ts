/** Group statistics shared by the advantage estimators and the dynamic-sampling predicate. */
import { RlInputError } from './errors.ts';

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RlInputError('values', 'mean of an empty list is undefined');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Sample standard deviation (Bessel, divides by n − 1), as torch.std in verl and TRL's corrected nanstd
 * (rl-anchors §2.1): population std would give ±0.999998 instead of ±0.866024 on [1,0,0,1].
 * A single value has no sample std; it returns 0 so callers treat it as a zero-variance group.
 */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) {
    if (values.length === 0) throw new RlInputError('values', 'std of an empty list is undefined');
    return 0;
  }
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (values.length - 1));
}

/** True iff every value is the same: std would be 0 and the group carries no learning signal (SPEC §4). */
export function allEqual(values: readonly number[]): boolean {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
}
