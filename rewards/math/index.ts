/**
 * The math verifier (SPEC §2): extracts the final answer of a response and decides whether it is mathematically
 * equivalent to the reference. Never throws; every call is bounded by `timeoutMs` (the CAS runs in a killable
 * worker, everything else is bounded by input caps). Rules and policies: docs/math-verifier.md.
 */
import {
  Comparer,
  DeadlineExceeded,
  type EquivalenceOptions,
  fastRational,
  type PercentPolicy,
  type VerifyPath,
} from './equivalence.ts';
import { type AnswerTags, extractAnswer } from './extract.ts';
import { normalizeLatex } from './normalize.ts';
import { locateChoice } from './prose.ts';
import { equals, isTerminating } from './rational.ts';
import { parseAnswer } from './structure.ts';

export { stopCas, warmUpCas } from './cas.ts';
export type { PercentPolicy, VerifyPath } from './equivalence.ts';
export { type AnswerTags, extractAnswer } from './extract.ts';

export interface VerifyMathOptions {
  /** Wall-clock budget for the whole call, in ms; on expiry the answer counts as not equivalent. Default 1000. */
  timeoutMs?: number;
  /**
   * How `x\%` compares with a value written without `%`. Default `'lenient'`: `50\%` equals `50\%`, `50` and `0.5`
   * (graders and models both drop the sign or convert to a fraction; a wrong number never matches either way).
   * `'strip'`: only `50`; `'fraction'`: only `0.5`; `'strict'`: only another percentage.
   */
  percentPolicy?: PercentPolicy;
  /** See EquivalenceOptions.approxMinSignificantDigits; default 6. */
  approxMinSignificantDigits?: number;
  /** Relative tolerance for numbers (science answers); default 0 = exact comparison. */
  relativeTolerance?: number;
  /** See EquivalenceOptions.floatRounding (Math-Verify's `float_rounding`); default unset. */
  floatRounding?: number;
  /** Ask the CAS before numeric sampling; default false (it is asked only when sampling cannot decide). */
  casFirst?: boolean;
  /** See EquivalenceOptions.allowSetRelationComparison; default true. */
  allowSetRelationComparison?: boolean;
  /** Answer tag of the response template; default `answer`. */
  tags?: AnswerTags;
}

export interface MathVerdict {
  equivalent: boolean;
  /** Why, in a few words (for logs and the quarantine of odd cases). */
  reason: string;
  /** Which stage decided: fast (literal numbers/strings), cas (exact or symbolic), numeric, structural, none. */
  path: VerifyPath;
  /** Wall time of the call in ms. */
  ms: number;
  /** The answer extracted from the prediction, or null when there was none. */
  extracted: string | null;
}

export const DEFAULT_TIMEOUT_MS = 1000;
/** Longest normalised answer handled structurally; longer ones are compared as strings only. */
export const MAX_ANSWER_CHARS = 2000;

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:\/\d+)?$|^[+-]?\\frac\{\d+\}\{\d+\}$/;

function resolve(opts: VerifyMathOptions): EquivalenceOptions & { timeoutMs: number } {
  const timeoutMs =
    Number.isFinite(opts.timeoutMs) && (opts.timeoutMs as number) > 0 ? (opts.timeoutMs as number) : DEFAULT_TIMEOUT_MS;
  const percentPolicy = (['lenient', 'strip', 'fraction', 'strict'] as const).includes(
    opts.percentPolicy as PercentPolicy
  )
    ? (opts.percentPolicy as PercentPolicy)
    : 'lenient';
  const approx = opts.approxMinSignificantDigits;
  return {
    timeoutMs,
    percentPolicy,
    approxMinSignificantDigits: typeof approx === 'number' && approx >= 1 ? approx : 6,
    relativeTolerance:
      typeof opts.relativeTolerance === 'number' && opts.relativeTolerance > 0 ? opts.relativeTolerance : 0,
    casFirst: opts.casFirst === true,
    floatRounding:
      typeof opts.floatRounding === 'number' && Number.isInteger(opts.floatRounding) && opts.floatRounding >= 0
        ? opts.floatRounding
        : null,
    allowSetRelationComparison: opts.allowSetRelationComparison !== false,
  };
}

/** `\text{(A)}` → ` (A) `: the words of text commands, for finding a choice letter. */
function textContent(s: string): string {
  return s.replace(/\\(?:text|textbf|textrm|mathrm|mathbf)\s*\{([^{}]*)\}/g, ' $1 ');
}

/** Decides whether `prediction` (a response or a bare answer) states the same mathematical answer as `gold`. */
export function verifyMath(gold: string, prediction: string, opts: VerifyMathOptions = {}): MathVerdict {
  const started = performance.now();
  let extracted: string | null = null;
  const done = (equivalent: boolean, path: VerifyPath, reason: string): MathVerdict => ({
    equivalent,
    reason,
    path,
    ms: performance.now() - started,
    extracted,
  });
  try {
    if (typeof gold !== 'string' || typeof prediction !== 'string')
      return done(false, 'none', 'gold and prediction must be strings');
    const options = resolve(opts ?? {});
    extracted = extractAnswer(prediction, opts.tags);
    if (extracted === null) return done(false, 'none', 'no answer found in the prediction');
    const goldAnswer = extractAnswer(gold);
    if (goldAnswer === null) return done(false, 'none', 'gold answer is empty or malformed');
    // A multiple-choice gold: the letter the response picks, even inside prose ("Because B is valid").
    const choice = /^\(?([A-E])\)?$/.exec(textContent(goldAnswer).trim());
    if (choice) {
      const picked = locateChoice(textContent(extracted)) ?? locateChoice(textContent(prediction));
      extracted = picked ?? extracted;
      return picked === choice[1]
        ? done(true, 'fast', 'same choice')
        : done(false, 'fast', picked ? `chose ${picked}` : 'no choice letter found');
    }

    // The fast path: plain integers, decimals, a/b and \frac{a}{b} compare as exact rationals with no parsing. Its
    // "different" is final unless an approximation rule could still apply (a decimal vs 1/3) or a tolerance is set.
    if (PLAIN_NUMBER.test(goldAnswer) && PLAIN_NUMBER.test(extracted)) {
      const a = fastRational(goldAnswer);
      const b = fastRational(extracted);
      if (a && b) {
        if (equals(a, b)) return done(true, 'fast', 'equal numbers');
        const approximable =
          (goldAnswer.includes('.') && !isTerminating(b)) || (extracted.includes('.') && !isTerminating(a));
        const rounding = options.floatRounding !== null && (goldAnswer.includes('.') || extracted.includes('.'));
        if (!approximable && !rounding && options.relativeTolerance === 0)
          return done(false, 'fast', 'different numbers');
      }
    }

    const g = normalizeLatex(goldAnswer);
    const p = normalizeLatex(extracted);
    if (g === p) return done(true, 'fast', 'identical after normalisation');
    if (g.length > MAX_ANSWER_CHARS || p.length > MAX_ANSWER_CHARS)
      return done(false, 'none', 'answer too long to compare structurally');
    const comparer = new Comparer(options, started + options.timeoutMs);
    const v = comparer.compare(parseAnswer(g), parseAnswer(p));
    return done(v.equivalent, v.path, v.reason);
  } catch (err) {
    if (err instanceof DeadlineExceeded) return done(false, 'none', 'timeout');
    return done(false, 'none', `verifier error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
  }
}
