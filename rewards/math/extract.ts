/**
 * Answer extraction (SPEC §2, math): the `<answer>` content; inside it the last `\boxed{…}` if present; otherwise
 * the answer located in prose the way Math-Verify does (prose.ts), or the final expression of a bare answer.
 */
import { finalAnswerStatement, isProse, locateAnswer, MAX_SCANNED_CHARS } from './prose.ts';

/** Where the answer sits in a response; the field name matches `rl/template.ts`'s TemplateOptions. */
export interface AnswerTags {
  /** Name of the answer tag, without brackets. Default `'answer'` (all three papers). */
  answerTag?: string;
}

/** Responses are scanned in full, but only this much of the extracted answer is kept (a longer one is not an answer). */
export const MAX_EXTRACTED_CHARS = 4000;

/** Index just past the `}` that closes the `{` at `open`, or -1 if the braces never balance. */
export function matchBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++; // `\{` and `\}` are literal braces (set delimiters), not grouping
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

interface Box {
  start: number;
  end: number;
  /** The argument, or null when its braces never close (a truncated answer). */
  content: string | null;
}

/** Every `\boxed{…}` / `\fbox{…}` / `\boxed x` in `text`, in order. */
function boxes(text: string): Box[] {
  const out: Box[] = [];
  // an over-escaped `\\boxed` is a box too
  const re = /\\{1,2}(?:boxed|fbox|framebox)(?![a-zA-Z])/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let i = m.index + m[0].length;
    while (text[i] === ' ') i++;
    if (text[i] === '{') {
      const end = matchBrace(text, i);
      out.push({
        start: m.index,
        end: end < 0 ? text.length : end,
        content: end < 0 ? null : text.slice(i + 1, end - 1),
      });
      if (end > 0) re.lastIndex = end;
      continue;
    }
    // `\boxed 5` / `\boxed x`: the argument is the next token (TeX's rule for an undelimited argument),
    // extended to the end of a plain number so `\boxed 12` is 12, not 1.
    const t = /^(?:[+-]?\d+(?:\.\d+)?|\\[a-zA-Z]+|\S)/.exec(text.slice(i));
    out.push({ start: m.index, end: i + (t ? t[0].length : 0), content: t ? t[0] : null });
  }
  return out;
}

/**
 * What may stand between boxes that together state one answer (`\boxed{1} and \boxed{2}`, `\boxed{k=45} \quad
 * \text{and} \quad \boxed{n=2}`, `\boxed{1},\boxed{2}`, `\boxed{1} papers and \boxed{2} bins`): spacing,
 * punctuation, "and"/"or", `\text{…}`, math delimiters, a label (`y_2 =`) and one unit word before "and"/"or", but
 * no other prose. Read token by token (one pass, no backtracking: the text between boxes can be long).
 */
const JOINER_TOKEN =
  /\s+|[,;.+&$]|\\q?quad(?![a-zA-Z])|\\text\s*\{[^{}]*\}|\\[,;: !]|\\[()[\]]|\\\\|[a-zA-Z](?:_\{?\w+\}?)?\s*=|[a-zA-Z]+/y;

function joinsBoxes(between: string): boolean {
  let wordBeforeConjunction = false;
  for (let i = 0; i < between.length; ) {
    JOINER_TOKEN.lastIndex = i;
    const token = JOINER_TOKEN.exec(between)?.[0];
    if (!token) return false;
    i += token.length;
    if (/^\s+$/.test(token)) continue;
    const word = /^[a-zA-Z]+$/.test(token);
    if (word && (token === 'and' || token === 'or')) wordBeforeConjunction = false;
    else if (wordBeforeConjunction) return false;
    else if (word) wordBeforeConjunction = true;
  }
  return !wordBeforeConjunction;
}

/**
 * Content of the last `\boxed{…}`, joined with the boxes just before it that belong to the same answer
 * (`1, 2, 3` from `\boxed{1} and \boxed{2} and \boxed{3}`); `undefined` if there is none, `null` if the last one is
 * malformed (unbalanced braces: a truncated answer, which must not be graded on a fragment).
 */
export function lastBoxed(text: string): string | null | undefined {
  const all = boxes(text);
  if (all.length === 0) return undefined;
  let k = all.length - 1;
  if (all[k].content === null) return null;
  while (k > 0 && all[k - 1].content !== null && joinsBoxes(text.slice(all[k - 1].end, all[k].start))) k--;
  return all
    .slice(k)
    .map((b) => unwrapMath(b.content as string))
    .join(', ');
}

/** Strips math delimiters: `$…$`, `$$…$$`, `\(…\)`, `\[…\]`. */
function unwrapMath(text: string): string {
  let t = text.trim();
  for (;;) {
    const before = t;
    if (t.startsWith('$$') && t.endsWith('$$') && t.length >= 4) t = t.slice(2, -2).trim();
    else if (t.startsWith('$') && t.endsWith('$') && t.length >= 2) t = t.slice(1, -1).trim();
    else if (t.startsWith('\\(') && t.endsWith('\\)')) t = t.slice(2, -2).trim();
    else if (t.startsWith('\\[') && t.endsWith('\\]')) t = t.slice(2, -2).trim();
    if (t === before) return t;
  }
}

const ANSWER_PHRASE =
  /(?:final answer|the answer|answer|the result|result|the solution|solution)\s*(?:is|are|:|=|equals)\s*(?::\s*)?/gi;
const LEADING_CONNECTIVE =
  /^(?:so|thus|therefore|hence|then|finally|overall|in total|in conclusion|we (?:get|have|find|obtain))\b[,:]?\s*/i;
// `!` is not here (5! is an answer) and a mark after a backslash is a spacing command (`9\,`), not punctuation.
const TRAILING_PUNCTUATION = /(?<!\\)[\s.。;,]+$/;

/**
 * The final expression of a short answer text without `\boxed`: the text after the last "answer is"/"answer:"
 * phrase, the last `$…$` segment when it is embedded in prose, leading connectives ("so", "thus") and trailing
 * punctuation removed.
 */
export function finalExpression(text: string): string {
  // Stray template tags and markdown bold (**Answer:** 5) are not part of any answer. Only the tail is read (as in
  // prose.ts), which keeps the cost of the patterns below bounded on any input.
  let t = text
    .slice(-MAX_SCANNED_CHARS)
    .replace(/<\/?[a-zA-Z][\w-]*>/g, ' ')
    // bold only when delimited by spaces: x**2 is a power, not emphasis
    .replace(/(^|\s)\*\*([^*]+?)\*\*(?=\s|$|[.,:;])/g, '$1$2')
    .trim()
    .replace(TRAILING_PUNCTUATION, '');
  let last: RegExpExecArray | null = null;
  ANSWER_PHRASE.lastIndex = 0;
  for (let m = ANSWER_PHRASE.exec(t); m; m = ANSWER_PHRASE.exec(t)) last = m;
  if (last) t = t.slice(last.index + last[0].length);
  const segments = [...t.matchAll(/\$\$([^$]+)\$\$|\$([^$]+)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]/gs)];
  if (segments.length > 0) {
    const outside = t.replace(/\$\$[^$]+\$\$|\$[^$]+\$|\\\(.+?\\\)|\\\[.+?\\\]/gs, ' ');
    // Prose around the math ("We find $x=3$ is the only root") means the math is the answer.
    if (/[a-zA-Z]{2,}/.test(outside)) {
      const s = segments[segments.length - 1];
      t = s[1] ?? s[2] ?? s[3] ?? s[4] ?? '';
    }
  }
  t = unwrapMath(t.replace(TRAILING_PUNCTUATION, ''));
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(LEADING_CONNECTIVE, '');
  }
  return unwrapMath(t.replace(TRAILING_PUNCTUATION, ''));
}

/**
 * The answer a response commits to, or `null` when there is none (empty, unclosed answer tag, malformed `\boxed`).
 * Without any answer tag the whole text is used, so bare answers ("5", "\boxed{5}", a gold string) extract too; the
 * format reward, not this function, is what penalises a missing template.
 */
export function extractAnswer(response: string, tags: AnswerTags = {}): string | null {
  if (typeof response !== 'string') return null;
  const name = tags.answerTag ?? 'answer';
  const open = `<${name}>`;
  const close = `</${name}>`;
  let content = response;
  const lastOpen = response.lastIndexOf(open);
  if (lastOpen >= 0) {
    const end = response.indexOf(close, lastOpen + open.length);
    if (end < 0) {
      // The last answer block was cut by the window (truncated): fall back to an earlier complete block, if any.
      const lastClose = response.lastIndexOf(close, lastOpen);
      if (lastClose < 0) return null;
      const earlierOpen = response.lastIndexOf(open, lastClose);
      if (earlierOpen < 0) return null;
      content = response.slice(earlierOpen + open.length, lastClose);
    } else content = response.slice(lastOpen + open.length, end);
  }
  const boxed = lastBoxed(content);
  if (boxed === null) return null;
  let answer: string;
  if (boxed !== undefined) {
    // "The final answer is $X$. I hope it is correct." after the last box restates the answer (Math-Verify gives
    // both the same priority and takes the later).
    const restated = finalAnswerStatement(content);
    answer = restated && restated.start > content.lastIndexOf('boxed') ? restated.answer : boxed;
  } else {
    const located = isProse(content) || /\$|\\\(|\\\[/.test(content) ? locateAnswer(content) : null;
    const rest = finalExpression(content);
    // After an answer phrase, undelimited LaTeX ("the answer is \\left\\{-7, 30, 2\\right\\}.") is the rest of the
    // sentence, not the first number in it.
    const digits = (t: string) => t.replace(/\D/g, '');
    const sentence =
      located?.plain && located.priority < 300 && !isProse(rest) && digits(rest).includes(digits(located.answer));
    answer = located && !sentence ? located.answer : rest;
  }
  const trimmed = answer.trim();
  if (trimmed === '' || trimmed.length > MAX_EXTRACTED_CHARS) return null;
  return trimmed;
}
