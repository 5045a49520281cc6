/**
 * The OT short-form prompt (§3.1): the question with its candidate answers embedded as plain text, "without
 * providing explicit option letters and position indicators", so the model must write the full text of its answer.
 * The paper does not print its template; ours is `Options: X; Y; Z` after the question, then the instruction. The
 * order is a seeded shuffle, so the gold answer's position carries no signal and a retried rollout sees the same text.
 */
import { textSeededRandom } from '../../rl/random.ts';

export class QaPromptError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(`${field}: ${message}`);
    this.name = 'QaPromptError';
  }
}

export interface QaPromptOptions {
  /** Text before the joined candidates. Default `'Options: '`. */
  label?: string;
  /** Separator between candidates. Default `'; '` (a candidate containing it is rejected, it would be ambiguous). */
  separator?: string;
  /** Instruction appended after the options; default asks for the full answer text inside `<answer>` tags. */
  instruction?: string;
}

export const DEFAULT_QA_INSTRUCTION =
  'Think it through inside <think> </think>, then write the full text of the correct option, exactly as given, inside <answer> </answer>.';

/** A permutation of `items` (Fisher–Yates) determined by `seed`: same seed, same order. */
export function shuffleCandidates<T>(items: readonly T[], seed: number | string): T[] {
  const out = [...items];
  const random = textSeededRandom(`qa-options:${seed}`);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Builds the prompt for one QA item. `candidates` holds the gold answer(s) and the distractors in any order;
 * duplicates (after trimming) are removed before shuffling. Throws QaPromptError on unusable input.
 */
export function buildQaPrompt(
  question: string,
  candidates: readonly string[],
  seed: number | string,
  options: QaPromptOptions = {}
): string {
  const label = options.label ?? 'Options: ';
  const separator = options.separator ?? '; ';
  const instruction = options.instruction ?? DEFAULT_QA_INSTRUCTION;
  if (typeof question !== 'string' || question.trim() === '')
    throw new QaPromptError('question', 'must be non-empty text');
  if (!Array.isArray(candidates) || candidates.length === 0) {
    throw new QaPromptError('candidates', 'give at least one candidate answer (the gold answer plus distractors)');
  }
  const unique: string[] = [];
  for (const [k, c] of candidates.entries()) {
    if (typeof c !== 'string' || c.trim() === '') throw new QaPromptError(`candidates[${k}]`, 'must be non-empty text');
    const t = c.trim().replace(/\s+/g, ' ');
    if (separator.trim() !== '' && t.includes(separator.trim())) {
      throw new QaPromptError(
        `candidates[${k}]`,
        `contains the separator '${separator.trim()}'; choose another separator`
      );
    }
    if (!unique.includes(t)) unique.push(t);
  }
  const body = `${question.trim()}\n\n${label}${shuffleCandidates(unique, seed).join(separator)}`;
  return instruction === '' ? body : `${body}\n\n${instruction}`;
}
