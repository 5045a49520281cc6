/**
 * GZ §3.3 smooth length penalty for non-verifiable tasks (eq. 5–7), in policy tokens.
 *
 * Quirk of eq. 6 as printed (kept by default, `variant: 'paper'`): the answer penalty is `−λ·l_answer`, not
 * `−λ·(l_answer − L'_min)`, so with the defaults it jumps from 0 at l = 1024 to −0.25625 at l = 1025, falls to
 * −1.024 at l = 4096 (below the −1 floor) and then comes back *up* to −1 at l = 4097. `variant: 'continuous'` is
 * the linear ramp from 0 at L'_min to −1 at L'_max (docs/rl.md explains the choice).
 */

import { LENGTH_PENALTY_DEFAULTS } from '../schemas/experiment/defaults.ts';
import { lookUp, RlInputError, requireFinite, requireNonNegative, requireNonNegativeInteger } from './errors.ts';
import { withDefaults } from './options.ts';

export type LengthPenaltyVariant = 'paper' | 'continuous';

export interface LengthPenaltyOptions {
  /** `L_max` of eq. 5: a length difference y above it is penalised −1. Tokens. Default 2048 (GZ §4.1). */
  lMax?: number;
  /** `L_cache` of eq. 5: width of the ramp ending at `L_max`, so the ramp starts at `L_max − L_cache`. Tokens, > 0. Default 1536. */
  lCache?: number;
  /** `L'_min` of eq. 6: answers up to this length are not penalised. Tokens. Default 1024. */
  answerMin?: number;
  /** `L'_max` of eq. 6: answers longer than this are penalised −1. Tokens. Default 4096. */
  answerMax?: number;
  /** `λ` of eq. 6, penalty per answer token between `L'_min` and `L'_max` (`paper` variant only). Default 0.00025. */
  lambda?: number;
  /** `'paper'` (eq. 6 exactly as printed, default) or `'continuous'` (0 → −1 linear ramp over (L'_min, L'_max]). */
  variant?: LengthPenaltyVariant;
}

export const DEFAULT_LENGTH_PENALTY: Readonly<Required<LengthPenaltyOptions>> = LENGTH_PENALTY_DEFAULTS;

export interface LengthPenalty {
  /** `R_length^think`, eq. 5, in [−1, 0]. */
  think: number;
  /** `R_length^answer`, eq. 6; in [−1.024, 0] for the paper variant with defaults, [−1, 0] for continuous. */
  answer: number;
  /** `R_length = think + answer`, eq. 7. */
  total: number;
}

function resolve(options: LengthPenaltyOptions): Required<LengthPenaltyOptions> {
  const o = withDefaults(DEFAULT_LENGTH_PENALTY, options);
  requireFinite(o.lMax, 'lengthPenalty.lMax');
  requireFinite(o.lCache, 'lengthPenalty.lCache');
  if (o.lCache <= 0) throw new RlInputError('lengthPenalty.lCache', `must be > 0 (it divides eq. 5), got ${o.lCache}`);
  requireNonNegative(o.answerMin, 'lengthPenalty.answerMin');
  requireFinite(o.answerMax, 'lengthPenalty.answerMax');
  if (o.answerMax < o.answerMin) {
    throw new RlInputError('lengthPenalty.answerMax', `must be >= answerMin (${o.answerMin}), got ${o.answerMax}`);
  }
  requireNonNegative(o.lambda, 'lengthPenalty.lambda');
  lookUp(ANSWER_PENALTY_VARIANTS, o.variant, 'lengthPenalty.variant');
  return o;
}

/** GZ eq. 5. `y = l_answer − l_think` (may be negative: thinking longer than answering is never penalised). */
export function thinkPenalty(y: number, options: LengthPenaltyOptions = {}): number {
  requireFinite(y, 'y');
  const { lMax, lCache } = resolve(options);
  const rampStart = lMax - lCache;
  if (y <= rampStart) return 0;
  // Eq. 5 prints |y| in the numerator; on this branch y > L_max − L_cache, which is > 0 with the defaults, so |y| = y.
  // With L_cache > L_max the branch could see y < 0; we follow the printed |y| there too.
  if (y <= lMax) return (rampStart - Math.abs(y)) / lCache;
  return -1;
}

type AnswerPenalty = (lAnswer: number, o: Required<LengthPenaltyOptions>) => number;

/** Eq. 6 as printed: −λ·l on (L'_min, L'_max], with the jump at L'_min and the −1.024 → −1 rise at L'_max. */
const paperAnswerPenalty: AnswerPenalty = (l, { answerMin, answerMax, lambda }) => {
  if (l <= answerMin) return 0;
  if (l <= answerMax) return -lambda * l;
  return -1;
};

/**
 * Continuous in l: 0 up to L'_min, then −(l − L'_min)/(L'_max − L'_min) reaching −1 exactly at L'_max, −1 beyond;
 * λ is not used. Same shape as eq. 5 and DAPO's overlong ramp; with the defaults the slope is 1/3072 ≈ 3.3e-4 per
 * token, close to the paper's λ = 2.5e-4.
 */
const continuousAnswerPenalty: AnswerPenalty = (l, { answerMin, answerMax }) => {
  if (l <= answerMin) return 0;
  if (l <= answerMax) return -(l - answerMin) / (answerMax - answerMin);
  return -1;
};

/** Answer-penalty variants by config name (`rewards.lengthPenalty.variant`). */
export const ANSWER_PENALTY_VARIANTS: Readonly<Record<LengthPenaltyVariant, AnswerPenalty>> = Object.freeze({
  paper: paperAnswerPenalty,
  continuous: continuousAnswerPenalty,
});

/** GZ eq. 6 (or its continuous variant). `lAnswer` is the answer content's length in policy tokens. */
export function answerPenalty(lAnswer: number, options: LengthPenaltyOptions = {}): number {
  requireNonNegativeInteger(lAnswer, 'answerTokens');
  const o = resolve(options);
  return ANSWER_PENALTY_VARIANTS[o.variant](lAnswer, o);
}

/** GZ eq. 7: `R_length = R_think(l_answer − l_think) + R_answer(l_answer)`. */
export function lengthPenalty(
  lengths: { thinkTokens: number; answerTokens: number },
  options: LengthPenaltyOptions = {}
): LengthPenalty {
  requireNonNegativeInteger(lengths.thinkTokens, 'thinkTokens');
  requireNonNegativeInteger(lengths.answerTokens, 'answerTokens');
  const think = thinkPenalty(lengths.answerTokens - lengths.thinkTokens, options);
  const answer = answerPenalty(lengths.answerTokens, options);
  return { think, answer, total: think + answer };
}
