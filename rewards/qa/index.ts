/** Short-form QA rewards (OT §3.1): normalised matching against the gold answer set, and the options prompt. */
export { matchQa } from './match.ts';
export { normalizeQa } from './normalize.ts';
export {
  buildQaPrompt,
  DEFAULT_QA_INSTRUCTION,
  QaPromptError,
  type QaPromptOptions,
  shuffleCandidates,
} from './prompt.ts';
