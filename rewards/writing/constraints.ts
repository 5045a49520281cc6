/**
 * Rule-checked writing constraints (Qwen3 §4.4 "rule-based reward" for instruction following, after IFEval-style
 * verifiable instructions): an open prompt carries constraints a program can check, and the reward is the fraction
 * satisfied. Every constraint is a plain JSON record so datasets can store it (dataset row `constraints`).
 */

export type WritingConstraint =
  /** Every listed word or phrase occurs as a whole word (case-insensitive unless `caseSensitive`). */
  | { type: 'include-words'; words: string[]; caseSensitive?: boolean }
  /** None of the listed words or phrases occurs as a whole word. */
  | { type: 'exclude-words'; words: string[]; caseSensitive?: boolean }
  /** `word` occurs at least `min` and at most `max` times (whole word). */
  | { type: 'keyword-frequency'; word: string; min?: number; max?: number; caseSensitive?: boolean }
  /** The number of words lies in [min, max] (either bound optional). */
  | { type: 'word-count'; min?: number; max?: number }
  /** Exactly `count` (or between min and max) markdown bullet lines: lines starting with `-`, `*` or `•` then a space. */
  | { type: 'bullet-count'; count?: number; min?: number; max?: number }
  /** Exactly `count` (or between min and max) paragraphs: non-empty blocks separated by blank lines. */
  | { type: 'paragraph-count'; count?: number; min?: number; max?: number }
  /** The text starts with `text` (case-insensitive, leading whitespace and quotes ignored). */
  | { type: 'starts-with'; text: string }
  /** The text ends with `text` (case-insensitive; trailing whitespace, quotes and one final . ! or ? ignored). */
  | { type: 'ends-with'; text: string }
  /** No comma anywhere (ASCII `,`, full-width `，`). */
  | { type: 'no-commas' }
  /** All letters lower-case, or all upper-case. */
  | { type: 'case'; case: 'lower' | 'upper' }
  /** The whole text (optionally inside one ```json fence) parses as JSON. */
  | { type: 'json-format' };

export type ConstraintType = WritingConstraint['type'];

export interface ConstraintCheck {
  constraint: WritingConstraint;
  satisfied: boolean;
  /** What was measured, e.g. "words=212" or "missing: ocean"; for logs and debugging. */
  detail: string;
}

export interface ConstraintScore {
  /** Fraction of constraints satisfied, in [0, 1]. */
  score: number;
  checks: ConstraintCheck[];
}

export class ConstraintError extends Error {
  override readonly name = 'ConstraintError';
}

const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

export function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whole-word (or whole-phrase: any run of whitespace between its words) occurrences; letters/digits bound a word. */
function occurrences(text: string, phrase: string, caseSensitive = false): number {
  const body = phrase.trim().split(/\s+/).map(escapeRegExp).join('\\s+');
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, caseSensitive ? 'gu' : 'giu');
  return text.match(re)?.length ?? 0;
}

function inBounds(n: number, c: { count?: number; min?: number; max?: number }): boolean {
  if (c.count !== undefined) return n === c.count;
  return (c.min === undefined || n >= c.min) && (c.max === undefined || n <= c.max);
}

const BULLET = /^[ \t]*[-*•][ \t]+\S/;

/** Strips what a writer may legitimately put around an ending word: whitespace, quotes, markdown emphasis, one . ! ? */
function trimEnd(text: string): string {
  return text
    .replace(/[\s"'”’*_)]+$/u, '')
    .replace(/[.!?]$/, '')
    .replace(/[\s"'”’*_]+$/u, '');
}

function checkOne(text: string, c: WritingConstraint): ConstraintCheck {
  const result = (satisfied: boolean, detail: string): ConstraintCheck => ({ constraint: c, satisfied, detail });
  switch (c.type) {
    case 'include-words': {
      const missing = c.words.filter((w) => occurrences(text, w, c.caseSensitive) === 0);
      return result(missing.length === 0, missing.length ? `missing: ${missing.join(', ')}` : 'all present');
    }
    case 'exclude-words': {
      const found = c.words.filter((w) => occurrences(text, w, c.caseSensitive) > 0);
      return result(found.length === 0, found.length ? `found: ${found.join(', ')}` : 'none present');
    }
    case 'keyword-frequency': {
      const n = occurrences(text, c.word, c.caseSensitive);
      return result(inBounds(n, c), `${c.word}×${n}`);
    }
    case 'word-count': {
      const n = countWords(text);
      return result(inBounds(n, c), `words=${n}`);
    }
    case 'bullet-count': {
      const n = text.split('\n').filter((line) => BULLET.test(line)).length;
      return result(inBounds(n, c), `bullets=${n}`);
    }
    case 'paragraph-count': {
      const n = text.split(/\n[ \t]*\n/).filter((p) => p.trim() !== '').length;
      return result(inBounds(n, c), `paragraphs=${n}`);
    }
    case 'starts-with': {
      const head = text.replace(/^[\s"'“‘*_]+/u, '').toLowerCase();
      return result(head.startsWith(c.text.trim().toLowerCase()), `starts "${head.slice(0, 40)}"`);
    }
    case 'ends-with': {
      const tail = trimEnd(text).toLowerCase();
      const want = trimEnd(c.text.trim()).toLowerCase();
      // The ending must be a whole word: "…bellow" does not end with the word "below".
      const ok = tail.endsWith(want) && !/[\p{L}\p{N}]/u.test(tail.charAt(tail.length - want.length - 1));
      return result(ok, `ends "${tail.slice(-40)}"`);
    }
    case 'no-commas': {
      const n = (text.match(/[,，]/g) ?? []).length;
      return result(n === 0, `commas=${n}`);
    }
    case 'case': {
      const letters = text.match(/\p{L}/gu) ?? [];
      const wrong = letters.filter((ch) =>
        c.case === 'lower' ? ch !== ch.toLowerCase() : ch !== ch.toUpperCase()
      ).length;
      return result(letters.length > 0 && wrong === 0, `${wrong} letters not ${c.case}-case`);
    }
    case 'json-format': {
      const body = text.trim().replace(/^```(?:json)?[ \t]*\n([\s\S]*?)\n?```$/i, '$1');
      try {
        JSON.parse(body);
        return result(true, 'valid JSON');
      } catch (err) {
        return result(false, `not JSON: ${(err as Error).message}`);
      }
    }
  }
}

const nonNegInt = (v: unknown) => v === undefined || (Number.isInteger(v) && (v as number) >= 0);

/**
 * Problems with one constraint record, as `path: message` strings; empty when valid. Datasets are external input,
 * so a bad record is reported with its position, never half-applied.
 */
export function constraintProblems(value: unknown, path = 'constraint'): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return [`${path}: must be an object with a "type"`];
  const c = value as Record<string, unknown>;
  const p: string[] = [];
  const words = (key: string) => {
    const w = c[key];
    if (!Array.isArray(w) || w.length === 0 || !w.every((x) => typeof x === 'string' && x.trim() !== '')) {
      p.push(`${path}.${key}: must be a non-empty array of non-empty strings`);
    }
  };
  const bounds = (withCount: boolean) => {
    for (const k of withCount ? ['count', 'min', 'max'] : ['min', 'max']) {
      if (!nonNegInt(c[k])) p.push(`${path}.${k}: must be an integer ≥ 0`);
    }
    if (withCount && c.count !== undefined && (c.min !== undefined || c.max !== undefined)) {
      p.push(`${path}: give either count or min/max, not both`);
    }
    if (c.count === undefined && c.min === undefined && c.max === undefined)
      p.push(`${path}: needs ${withCount ? 'count, ' : ''}min or max`);
    if (typeof c.min === 'number' && typeof c.max === 'number' && c.min > c.max)
      p.push(`${path}.min: must be ≤ max (${c.max})`);
  };
  switch (c.type) {
    case 'include-words':
    case 'exclude-words':
      words('words');
      break;
    case 'keyword-frequency':
      if (typeof c.word !== 'string' || c.word.trim() === '') p.push(`${path}.word: must be a non-empty string`);
      bounds(false);
      break;
    case 'word-count':
      bounds(false);
      break;
    case 'bullet-count':
    case 'paragraph-count':
      bounds(true);
      break;
    case 'starts-with':
    case 'ends-with':
      if (typeof c.text !== 'string' || c.text.trim() === '') p.push(`${path}.text: must be a non-empty string`);
      break;
    case 'case':
      if (c.case !== 'lower' && c.case !== 'upper') p.push(`${path}.case: must be 'lower' or 'upper'`);
      break;
    case 'no-commas':
    case 'json-format':
      break;
    default:
      p.push(
        `${path}.type: unknown constraint type ${JSON.stringify(c.type)}; known: include-words, exclude-words, ` +
          'keyword-frequency, word-count, bullet-count, paragraph-count, starts-with, ends-with, no-commas, case, json-format'
      );
  }
  return p;
}

/** Validates a list of records (e.g. a dataset row's `constraints`); throws ConstraintError listing every problem. */
export function parseConstraints(value: unknown): WritingConstraint[] {
  if (!Array.isArray(value) || value.length === 0) throw new ConstraintError('constraints: must be a non-empty array');
  const problems = value.flatMap((c, i) => constraintProblems(c, `constraints[${i}]`));
  if (problems.length > 0) throw new ConstraintError(problems.join('; '));
  return value as WritingConstraint[];
}

/**
 * The fraction of constraints the text satisfies. `text` is the answer content (the policy's reasoning is not judged
 * against output constraints). Constraints must be valid (parseConstraints).
 */
export function scoreConstraints(text: string, constraints: readonly WritingConstraint[]): ConstraintScore {
  if (constraints.length === 0) throw new ConstraintError('constraints: at least one constraint is needed to score');
  const checks = constraints.map((c) => checkOne(text, c));
  return { score: checks.filter((c) => c.satisfied).length / checks.length, checks };
}

/**
 * Maps the fraction satisfied onto the accuracy scale of verifiable rewards, linearly: f = 1 → `correct`, f = 0 →
 * `incorrect`. With GZ's ±1 that is 2f − 1; with OT's 1/0 it is f itself.
 */
export function constraintAccuracy(fraction: number, mapping: { correct: number; incorrect: number }): number {
  return mapping.incorrect + fraction * (mapping.correct - mapping.incorrect);
}
