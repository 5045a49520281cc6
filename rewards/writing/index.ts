/** Rule-checked writing constraints (Qwen3 §4.4 rule-based rewards for instruction following). See docs/rewards.md. */
export {
  type ConstraintCheck,
  ConstraintError,
  type ConstraintScore,
  type ConstraintType,
  constraintAccuracy,
  constraintProblems,
  countWords,
  parseConstraints,
  scoreConstraints,
  type WritingConstraint,
} from './constraints.ts';
export { LENGTH_BIASED_FULL_CREDIT_WORDS, type LengthBiasedScore, scoreLengthBiased } from './length-biased.ts';
