/** Errors of the judge client. Runtime failures of a call are not thrown: they become a `null` component and a count. */

/** The judge is configured in a way that can never work (missing env var, template without placeholders, bad range). */
export class JudgeConfigError extends Error {
  override readonly name = 'JudgeConfigError';
}
