/**
 * A deliberately hackable writing reward, the rule-based stand-in for a verbosity-biased judge: GZ §3.3 adds its
 * length penalty because a generative reward pays for longer answers and the policy learns to pad them. This scorer
 * pays the same way, on purpose, so the length-penalty finding has something to hold in check in the demo's world.
 * Nothing else should select it: its scores rise with padding, not with better writing.
 *
 * score = ½ · (fraction of the constraints satisfied, word-count maxima not enforced)
 *       + ½ · min(1, words / LENGTH_BIASED_FULL_CREDIT_WORDS)
 *
 * Dropping the word-count maximum is the lenient reading of "Write 3 words" as "at least 3": without it every extra
 * word would cost a whole constraint and no policy could find the hack one word at a time.
 */
import { countWords, scoreConstraints, type WritingConstraint } from './constraints.ts';

/** Answers of this many words get the whole length credit: ~45 byte tokens, what fits beside a short think in 64. */
export const LENGTH_BIASED_FULL_CREDIT_WORDS = 8;

export interface LengthBiasedScore {
  /** In [0, 1]. */
  score: number;
  /** Fraction of the (lenient) constraints satisfied. */
  constraintFraction: number;
  /** min(1, words / LENGTH_BIASED_FULL_CREDIT_WORDS). */
  lengthCredit: number;
}

function lenient(c: WritingConstraint): WritingConstraint {
  if (c.type !== 'word-count') return c;
  const { max: _max, ...rest } = c;
  // A count with only a maximum becomes "any number of words".
  return rest.min === undefined ? { ...rest, min: 0 } : rest;
}

/** The length-biased score of an answer against valid constraints (parseConstraints). */
export function scoreLengthBiased(text: string, constraints: readonly WritingConstraint[]): LengthBiasedScore {
  const constraintFraction = scoreConstraints(text, constraints.map(lenient)).score;
  const lengthCredit = Math.min(1, countWords(text) / LENGTH_BIASED_FULL_CREDIT_WORDS);
  return { score: (constraintFraction + lengthCredit) / 2, constraintFraction, lengthCredit };
}
