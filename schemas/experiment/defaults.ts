/**
 * The papers' defaults that both the config schema (its `.default`s) and rl/'s functions (called without a config)
 * use, so the two cannot drift apart. Plain values with no imports, so rl/ reads them without loading zod.
 */

/** GZ §3.3 eq. 5–7 and §4.1: the smooth length penalty, in policy tokens. */
export const LENGTH_PENALTY_DEFAULTS = Object.freeze({
  lMax: 2048,
  lCache: 1536,
  answerMin: 1024,
  answerMax: 4096,
  lambda: 0.00025,
  variant: 'paper',
} as const);

/** β of GZ eq. 9, the weight of the length penalty in the total reward (GZ §4.1). */
export const LENGTH_PENALTY_WEIGHT = 2;

/** Format weight α by aggregation: GZ eq. 8–9 use 0.5; OT weights each auxiliary reward 0.1 (§4.4). */
export const DEFAULT_FORMAT_WEIGHT = Object.freeze({ gz: 0.5, ot: 0.1 } as const);

/**
 * GRPO (SPEC §4): the advantage estimator and its std ε (verl), the PPO clip ε_low / ε_high (GZ eq. 1), the KL term
 * (off, k3 when on: GZ §4.1, OT), the loss aggregation (token-mean: GZ, DAPO), the entropy bonus (off: verl), PPO
 * epochs, the global gradient-norm clip (verl's 1.0) and gradient checkpointing (`'auto'`: layers are recomputed in
 * backward only when one tape over the model would take too much memory); the schema's `grpo` section and
 * engine/train/grpo.ts both default to these.
 */
export const GRPO_DEFAULTS = Object.freeze({
  advantage: Object.freeze({ estimator: 'grpo', epsilon: 1e-6 } as const),
  clip: Object.freeze({ low: 0.2, high: 0.2 } as const),
  kl: Object.freeze({ coef: 0, estimator: 'k3' } as const),
  aggregation: 'token-mean',
  entropyCoef: 0,
  epochs: 1,
  gradClip: 1,
  maskTruncated: false,
  gradientCheckpointing: 'auto',
} as const);
