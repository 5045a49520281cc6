/**
 * Loss aggregation over a batch of per-token losses (SPEC §4; verl `agg_loss` mode names).
 * GZ eq. 1 uses token-mean `1/Σ|o_i| · Σ_i Σ_t` (the default); OT / original GRPO uses seq-mean-token-mean.
 *
 * Gradient accumulation: a micro-batch's loss must be divided by the *whole batch's* token (or sequence) count, so
 * that the micro-batch losses add up to the batch loss. Pass `globalTokens` / `globalSequences` for that; they
 * default to the counts of the tokens given, which is right only when the whole batch is given at once.
 */
import { lookUp, RlInputError, requireFinite, requireNonNegativeInteger } from './errors.ts';

export type LossAggregationName =
  | 'token-mean'
  | 'seq-mean-token-mean'
  | 'seq-mean-token-sum'
  | 'constant-normaliser'
  | 'dr-grpo';

export interface AggregationOptions {
  /** Per-token validity, same shape as the losses (1/true = response token, 0/false = padding). Default: all valid. */
  mask?: readonly (readonly (number | boolean)[])[];
  /** Valid-token count of the whole batch when aggregating one micro-batch (`token-mean`). Default: the local count. */
  globalTokens?: number;
  /** Count of sequences with ≥ 1 valid token in the whole batch (`seq-mean-*`, `dr-grpo`). Default: the local count. */
  globalSequences?: number;
  /**
   * The fixed normaliser L of `constant-normaliser` (Σ/L, verl's `seq-mean-token-sum-norm`) and `dr-grpo` (Σ/(B·L), TRL), in tokens.
   * Required for those modes and must be a number fixed for the whole run (e.g. the largest window, 24576). Unlike
   * verl there is no fallback to the padded response length: with a window growing 2,048 → 24,576 a window-derived
   * L would silently shrink every update 12× (SPEC §4).
   */
  constant?: number;
}

interface Sums {
  /** Σ_i Σ_t m·l */
  total: number;
  /** Σ_i Σ_t m */
  tokens: number;
  /** Sequences with at least one valid token. */
  sequences: number;
  /** Σ_i (Σ_t m·l / Σ_t m) over those sequences. */
  sumOfSequenceMeans: number;
}

function sums(losses: readonly (readonly number[])[], mask: AggregationOptions['mask']): Sums {
  if (mask !== undefined && mask.length !== losses.length) {
    throw new RlInputError('mask', `has ${mask.length} sequences but the losses have ${losses.length}`);
  }
  const s: Sums = { total: 0, tokens: 0, sequences: 0, sumOfSequenceMeans: 0 };
  // Plain loops, not forEach + a check per token: this runs over every token of a batch (bench/rl.ts).
  for (let i = 0; i < losses.length; i++) {
    const seq = losses[i];
    const m = mask?.[i];
    if (m !== undefined && m.length !== seq.length) {
      throw new RlInputError(`mask[${i}]`, `has ${m.length} tokens but losses[${i}] has ${seq.length}`);
    }
    let seqTotal = 0;
    let seqTokens = 0;
    for (let t = 0; t < seq.length; t++) {
      if (m !== undefined && !m[t]) continue;
      seqTotal += seq[t];
      seqTokens++;
    }
    // One finiteness check per sequence: a NaN or ±Infinity anywhere makes the sum non-finite.
    if (!Number.isFinite(seqTotal)) {
      const t = seq.findIndex((l, k) => (m === undefined || m[k]) && !Number.isFinite(l));
      requireFinite(seq[Math.max(t, 0)], `losses[${i}][${t}]`);
      throw new RlInputError(`losses[${i}]`, 'the token losses overflow to a non-finite sum');
    }
    if (seqTokens === 0) continue;
    s.total += seqTotal;
    s.tokens += seqTokens;
    s.sequences++;
    s.sumOfSequenceMeans += seqTotal / seqTokens;
  }
  return s;
}

function globalCount(given: number | undefined, local: number, field: string): number {
  if (given === undefined) return local;
  requireNonNegativeInteger(given, field);
  if (given < local) {
    throw new RlInputError(field, `is ${given} but this micro-batch alone has ${local}; pass the whole batch's count`);
  }
  return given;
}

function fixedConstant(constant: unknown): number {
  if (typeof constant !== 'number' || !Number.isFinite(constant) || constant <= 0) {
    throw new RlInputError(
      'aggregation.constant',
      `must be a fixed positive number of tokens (e.g. 24576, the largest window), got ${String(constant)}; ` +
        'a normaliser that follows the window would shrink every update as the window grows'
    );
  }
  return constant;
}

type Aggregation = (s: Sums, o: AggregationOptions) => number;

// An empty batch (every sample dropped or masked) aggregates to 0: no tokens, no gradient, not NaN.
const safeDivide = (x: number, d: number): number => (d === 0 ? 0 : x / d);

/** Loss aggregation modes by config name. */
export const LOSS_AGGREGATIONS: Readonly<Record<LossAggregationName, Aggregation>> = Object.freeze({
  /** GZ eq. 1, DAPO: every token weighs 1/Σ|o_i|. */
  'token-mean': (s, o) => safeDivide(s.total, globalCount(o.globalTokens, s.tokens, 'globalTokens')),
  /** Original GRPO / OT: `1/G Σ_i 1/|o_i| Σ_t`; a token of sequence i weighs 1/(B·|o_i|) (the length bias). */
  'seq-mean-token-mean': (s, o) =>
    safeDivide(s.sumOfSequenceMeans, globalCount(o.globalSequences, s.sequences, 'globalSequences')),
  /** `1/B Σ_i Σ_t`. */
  'seq-mean-token-sum': (s, o) => safeDivide(s.total, globalCount(o.globalSequences, s.sequences, 'globalSequences')),
  /** verl `seq-mean-token-sum-norm` with `loss_scale_factor` set: `Σ_i Σ_t / L` with a fixed L (no division by B). */
  'constant-normaliser': (s, o) => s.total / fixedConstant(o.constant),
  /** TRL `dr_grpo` (Dr. GRPO): `Σ_i Σ_t / (B · L)` with a fixed L. */
  'dr-grpo': (s, o) =>
    safeDivide(s.total, globalCount(o.globalSequences, s.sequences, 'globalSequences') * fixedConstant(o.constant)),
});

/** Aggregates per-token losses `losses[i][t]` of sequence i into the scalar the optimiser minimises. */
export function aggregateLoss(
  mode: LossAggregationName,
  losses: readonly (readonly number[])[],
  options: AggregationOptions = {}
): number {
  const aggregation = lookUp(LOSS_AGGREGATIONS, mode, 'aggregation.mode');
  return aggregation(sums(losses, options.mask), options);
}
