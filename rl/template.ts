/**
 * The response template (SPEC §1): think content and answer content inside two tagged blocks,
 * GZ `<thinking> … </thinking> <answer> … </answer>` (GZ Table 1) or OT/Qwen3 `<think> … </think><answer> … </answer>`.
 * The text given is the response only: what the policy generated after the assistant turn began.
 */
import { RlInputError } from './errors.ts';
import { withDefaults } from './options.ts';

export interface TemplateOptions {
  /** Name of the reasoning tag, without brackets. Default `'think'` (OT, Qwen3); GZ uses `'thinking'`. */
  thinkTag?: string;
  /** Name of the answer tag, without brackets. Default `'answer'` (all three papers). */
  answerTag?: string;
  /**
   * Whether the prompt already ends with the opening think tag, so the response starts inside the think block
   * (Qwen3-style chat templates pre-fill `<think>\n`). The implicit tag then counts as present once, and a second
   * `<think>` written by the model makes the response malformed. Default `false`.
   */
  thinkOpenPrefilled?: boolean;
}

/** GZ Table 1. */
export const GZ_TEMPLATE: Required<TemplateOptions> = {
  thinkTag: 'thinking',
  answerTag: 'answer',
  thinkOpenPrefilled: false,
};
/** OT §3.1 and Qwen3, with the model writing its own opening tag. */
export const OT_TEMPLATE: Required<TemplateOptions> = {
  thinkTag: 'think',
  answerTag: 'answer',
  thinkOpenPrefilled: false,
};

/** How many times each of the four markers occurs (the pre-filled opening tag counts as one). */
export interface TagCounts {
  thinkOpen: number;
  thinkClose: number;
  answerOpen: number;
  answerClose: number;
}

export interface ParsedResponse {
  /** Text between the first think opener (or the start, when pre-filled) and the next think closer; `null` if unclosed. */
  think: string | null;
  /** Text of the last complete answer block after the think block; `null` if there is none (e.g. truncated). */
  answer: string | null;
  counts: TagCounts;
  /** Number of the four markers present at least once, 0–4 (OT's `|tags_present|`). */
  tagsPresent: number;
  /** Each of the four markers occurs exactly once. */
  eachOnce: boolean;
  /** Think opener < think closer < answer opener < answer closer (only meaningful, and only true, when `eachOnce`). */
  ordered: boolean;
  /** Both extracted blocks have their closing tag (`think` and `answer` are not null). */
  closed: boolean;
  /** Everything outside the extracted blocks (tags included in the blocks) is whitespace. */
  onlyWhitespaceOutside: boolean;
  /** SPEC §2's template match: both blocks once, in order, closed, nothing but whitespace outside. */
  wellFormed: boolean;
}

const TAG_NAME = /^[^\s<>/]+$/;

function resolve(options: TemplateOptions): Required<TemplateOptions> {
  const resolved = withDefaults(OT_TEMPLATE, options);
  for (const field of ['thinkTag', 'answerTag'] as const) {
    if (!TAG_NAME.test(resolved[field])) {
      throw new RlInputError(`template.${field}`, `must be a bare tag name such as 'think', got '${resolved[field]}'`);
    }
  }
  if (resolved.thinkTag === resolved.answerTag) {
    throw new RlInputError('template.answerTag', `must differ from thinkTag ('${resolved.thinkTag}')`);
  }
  return resolved;
}

function countOccurrences(text: string, marker: string): number {
  let n = 0;
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length)) n++;
  return n;
}

const isBlank = (s: string): boolean => /^\s*$/.test(s);

export function parseResponse(text: string, options: TemplateOptions = {}): ParsedResponse {
  if (typeof text !== 'string') throw new RlInputError('response', `must be a string, got ${typeof text}`);
  const { thinkTag, answerTag, thinkOpenPrefilled } = resolve(options);
  const tOpen = `<${thinkTag}>`;
  const tClose = `</${thinkTag}>`;
  const aOpen = `<${answerTag}>`;
  const aClose = `</${answerTag}>`;

  const counts: TagCounts = {
    thinkOpen: countOccurrences(text, tOpen) + (thinkOpenPrefilled ? 1 : 0),
    thinkClose: countOccurrences(text, tClose),
    answerOpen: countOccurrences(text, aOpen),
    answerClose: countOccurrences(text, aClose),
  };

  // Think block: the first opener (position 0 with an empty opener when pre-filled), up to the next closer.
  const thinkStart = thinkOpenPrefilled ? 0 : text.indexOf(tOpen);
  const thinkBodyStart = thinkOpenPrefilled ? 0 : thinkStart + tOpen.length;
  const thinkClosePos = thinkStart < 0 ? -1 : text.indexOf(tClose, thinkBodyStart);
  const think = thinkClosePos < 0 ? null : text.slice(thinkBodyStart, thinkClosePos);
  const thinkEnd = thinkClosePos < 0 ? -1 : thinkClosePos + tClose.length;

  // Answer block: the last complete pair after the think block, so an answer drafted inside the reasoning is not
  // mistaken for the final one (the same "last one wins" rule as taking the last \boxed{} in math).
  const searchFrom = think === null ? 0 : thinkEnd;
  const answerClosePos = text.lastIndexOf(aClose);
  let answerStart = -1;
  if (answerClosePos >= searchFrom) {
    const candidate = text.lastIndexOf(aOpen, answerClosePos - aOpen.length);
    if (candidate >= searchFrom) answerStart = candidate;
  }
  const answer = answerStart < 0 ? null : text.slice(answerStart + aOpen.length, answerClosePos);
  const answerEnd = answerStart < 0 ? -1 : answerClosePos + aClose.length;

  const spans: [number, number][] = [];
  if (think !== null) spans.push([thinkStart, thinkEnd]);
  if (answer !== null) spans.push([answerStart, answerEnd]);
  let outside = '';
  let cursor = 0;
  for (const [from, to] of spans) {
    outside += text.slice(cursor, from);
    cursor = to;
  }
  outside += text.slice(cursor);

  const tagsPresent = Object.values(counts).filter((n) => n > 0).length;
  const eachOnce = Object.values(counts).every((n) => n === 1);
  const ordered =
    eachOnce &&
    (thinkOpenPrefilled || text.indexOf(tOpen) < text.indexOf(tClose)) &&
    text.indexOf(tClose) < text.indexOf(aOpen) &&
    text.indexOf(aOpen) < text.indexOf(aClose);
  const closed = think !== null && answer !== null;
  const onlyWhitespaceOutside = isBlank(outside);
  return {
    think,
    answer,
    counts,
    tagsPresent,
    eachOnce,
    ordered,
    closed,
    onlyWhitespaceOutside,
    wellFormed: eachOnce && ordered && closed && onlyWhitespaceOutside,
  };
}
