/**
 * Finding the answer in prose without `\boxed{}`, the way Math-Verify's parser does (docs/math-verifier.md §1):
 * patterns in priority order — "final answer is X. I hope", "final answer … is X", "answer: … X", "answer … X",
 * then any math environment or number — and within one priority the match that ends last wins. X is a math
 * environment (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`, a bare `\frac{1}{2}`), up to six of them joined by "," / "and" /
 * "or" (then they are one list), or a plain number or arithmetic expression (`1,000.99`, `2,74`, `1/3`).
 */

// Contents and runs are capped ({1,1000}, {0,200}) so a scan costs linear time on any input, not quadratic.
const DISPLAY_DOLLAR = String.raw`(?<!\\)\$\$(?:[^$]|\$(?!\$)){1,1000}?(?<!\\)\$\$`;
const DISPLAY_BRACKET = String.raw`(?<!\\)\\\[(?:[^\\]|\\(?!\])){1,1000}?(?<!\\)\\\]`;
const INLINE_DOLLAR = String.raw`(?<![\\\d])\$(?:\\\$|[^\n$]){1,1000}?(?<!\\)\$`;
const INLINE_PAREN = String.raw`(?<!\\)\\\((?:[^\\\n]|\\(?!\))){1,1000}?(?<!\\)\\\)`;
const FRACTION = String.raw`-?\\frac\{-?\d+(?:[.,]\d+)?\}\{-?\d+(?:[.,]\d+)?\}`;
const PERCENT = String.raw`(?:\s*(?:\\?%|[Pp]ercent(?:age)?|[Pp]ct))?`;
const ENV = `(?:${DISPLAY_DOLLAR}|${DISPLAY_BRACKET}|${INLINE_DOLLAR}|${INLINE_PAREN}|${FRACTION})${PERCENT}`;
/** Up to six environments joined by "," / "and" / "or": one answer with several parts. */
const ENVS = `${ENV}(?:\\s*(?:,?\\s*and|,?\\s*or|,)\\s*${ENV}){0,5}`;

const NUMBER = String.raw`(?<!\d)(?:-?[1-9]\d{0,2}(?:[ ,]\d{3})+(?:\.\d+)?|-?\d+[.,]\d+|\.\d+|-?\d+)(?:\s*(?:%|[Pp]ercent(?:age)?|[Pp]ct))?`;
const OPERATORS = String.raw`+\-*×/^()÷`;
const EXPR = String.raw`-?\(?-?\d[\d.\s${OPERATORS}]{0,200}[${OPERATORS}][\d.\s${OPERATORS}]{1,200}\)?(?=(?:\*\*)?(?:[.,:\s)$]|$))`;
/** A number or expression standing on its own: after a space, `=` or the start, optionally after a currency sign. */
const NUMEXPR = String.raw`(?:(?<=^|[\s=])(?:\*\*)?(?:${EXPR}|[$€£¥₹]?${NUMBER}))`;

/** [pattern, priority]; lower priorities are tried first. */
const PATTERNS: [RegExp, number][] = [
  [new RegExp(`final answer is:?\\s*(${ENVS})\\.?\\s?I hope`, 'gid'), 0],
  [new RegExp(`final answer is:?\\s*(${NUMEXPR})\\.?\\s?I hope`, 'gid'), 0],
  [new RegExp(`final answer[\\s\\S]{0,100}?\\s+is:?\\s*(${ENVS})`, 'gid'), 50],
  [new RegExp(`final answer.{0,100}?\\s+is:?\\s*(${NUMEXPR})`, 'gid'), 50],
  [new RegExp(`answer:[\\s\\S]{0,50}?(${ENVS})`, 'gid'), 100],
  [new RegExp(`answer:(?:.{0,100}=\\s*|.{0,50}?)(${NUMEXPR})(?!\\s*=)`, 'gid'), 100],
  [new RegExp(`answer[\\s\\S]{0,50}?(${ENVS})`, 'gid'), 200],
  [new RegExp(`answer(?:.{0,100}=\\s*|.{0,50}?)(${NUMEXPR})(?!\\s*=)`, 'gid'), 200],
  [new RegExp(`(${ENVS})`, 'gd'), 300],
  [new RegExp(`(${NUMEXPR})`, 'gd'), 300],
];

const SINGLE_ENV = new RegExp(`(${ENV})`, 'g');
/** Characters of plain-text math around a located number: `(1, 2]`, `{1, 2, 3}`, `2√3`, `3π/4`. */
const PLAIN_MATH = /[\d.,+\-*/^()[\]{}√π∞×÷ ]/;

/**
 * The plain-text math a located number belongs to (`(1, 2]` around the 2 of "the interval is (1, 2]."), when that
 * is more than the number and its brackets balance; null otherwise.
 */
function widened(text: string, [start, end]: [number, number]): string | null {
  let a = start;
  let b = end;
  while (a > 0 && start - a < 200 && PLAIN_MATH.test(text[a - 1])) a--;
  while (b < text.length && b - end < 200 && PLAIN_MATH.test(text[b])) b++;
  // a span cut at a command (`90^\circ`) is LaTeX written without delimiters: leave it to the number
  if (text[b] === '\\' || text[a - 1] === '\\') return null;
  const span = text
    .slice(a, b)
    .replace(/^[\s*]+|[\s*]+$/g, '')
    .replace(/^[\s.,;:]+|[\s.,;:]+$/g, '')
    .replace(/^[)\]}]+|[([{]+$/g, '');
  const opens = (span.match(/[([{]/g) ?? []).length;
  const closes = (span.match(/[)\]}]/g) ?? []).length;
  if (opens !== closes || !/[\d√π∞]/.test(span) || /[\^*/+\-×÷]$/.test(span)) return null;
  if (span === text.slice(start, end).replace(/^\*+/, '').trim()) return null;
  if (!/[()[\]{}√π∞+\-*/^×÷]/.test(span.replace(/^-/, ''))) return null;
  return span;
}
/**
 * Only the end of a long response is searched: the patterns prefer the match that ends last, so an answer further
 * back would only be found in a response that states nothing after it for this long.
 */
export const MAX_SCANNED_CHARS = 10_000;
const WORD = /[a-zA-Z]{3,}/;

/** Whether `text` reads as prose around an answer rather than being the bare answer itself. */
export function isProse(text: string): boolean {
  const outside = text
    .slice(-MAX_SCANNED_CHARS)
    .replace(new RegExp(ENV, 'g'), ' ')
    .replace(/\\[a-zA-Z]+\s*(?:\{[^{}]*\})?/g, ' ')
    .replace(/\\./g, ' ');
  return WORD.test(outside);
}

/** The content of one environment match: delimiters removed, a trailing percent kept as `%`. */
function envContent(env: string): string {
  const m = /^\s*(\$\$|\\\[|\$|\\\()([\s\S]*?)(\$\$|\\\]|\$|\\\))\s*((?:\\?%|[Pp]ercent(?:age)?|[Pp]ct))?\s*$/.exec(
    env
  );
  if (!m) return env.trim();
  return m[2].trim() + (m[4] ? '%' : '');
}

/** A located number as plain digits: thousands separators dropped, a decimal comma read as a point (Math-Verify's rule). */
function plainNumber(text: string): string {
  let t = text.replace(/^\*\*/, '').replace(/^[$€£¥₹]/, '');
  const percent = /(?:%|[Pp]ercent(?:age)?|[Pp]ct)$/.test(t);
  t = t.replace(/\s*(?:%|[Pp]ercent(?:age)?|[Pp]ct)$/, '');
  if (/^-?[1-9]\d{0,2}(?:[ ,]\d{3})+(?:\.\d+)?$/.test(t)) t = t.replace(/[ ,]/g, '');
  else if (/^-?\d+,\d+$/.test(t)) t = t.replace(',', '.');
  return percent ? `${t}%` : t.trim();
}

function located(match: string): string {
  const envs = [...match.matchAll(SINGLE_ENV)];
  if (envs.length === 0) return plainNumber(match.trim());
  // joined as written: "$x<1$ or $x>2$" keeps its "or" (a union of the two), "," and "and" list
  let out = '';
  envs.forEach((m, k) => {
    const content = envContent(m[1]);
    if (content === '') return;
    const between = k === 0 ? '' : match.slice(envs[k - 1].index + envs[k - 1][0].length, m.index);
    out += out === '' ? content : `${/\bor\b/.test(between) ? ' or ' : ', '}${content}`;
  });
  return out;
}

/** The answer Math-Verify's patterns find in `text`, or null when none matches. */
export function locateAnswer(text: string): Located | null {
  return locate(text, 300);
}

export interface Located {
  answer: string;
  /** Where the pattern's match starts in the text. */
  start: number;
  /** The pattern's priority (300: no answer phrase, just the last math or number). */
  priority: number;
  /** Whether the answer was a number or plain expression rather than a math environment. */
  plain: boolean;
}

/** "The final answer is X. I hope it is correct." (the highest-priority pattern), with where it starts. */
export function finalAnswerStatement(text: string): Located | null {
  return locate(text, 0);
}

function locate(full: string, maxPriority: number): Located | null {
  const offset = Math.max(0, full.length - MAX_SCANNED_CHARS);
  const text = full.slice(offset);
  for (let priority = 0; priority <= maxPriority; priority++) {
    const group = PATTERNS.filter(([, p]) => p === priority);
    if (group.length === 0) continue;
    let best: { start: number; end: number; text: string; at: [number, number] } | null = null;
    for (const [re, _] of group) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m[0].length === 0) re.lastIndex++;
        const end = m.index + m[0].length;
        if (!best || end > best.end || (end === best.end && m.index < best.start))
          best = { start: m.index, end, text: m[1], at: m.indices?.[1] ?? [m.index, end] };
      }
    }
    if (best) {
      // a number, an expression or a bare \frac{1}{2}: not inside math delimiters
      const plain = !/^\s*(?:\$|\\[([])/.test(best.text);
      const answer = plain ? (widened(text, best.at) ?? located(best.text)) : located(best.text);
      if (answer !== '') return { answer, start: offset + best.start, priority, plain };
    }
  }
  return null;
}

/**
 * The multiple-choice letter a response picks (`Because B is valid`, `**Answer:** (C)`), with Math-Verify's
 * string-extraction patterns: "final answer is X. I hope", "final answer … is X", "answer: … X", "answer … X", a letter
 * opening the text, then any standalone letter; the match that ends last wins within a priority. Null if none.
 */
export function locateChoice(full: string, letters = 'ABCDE'): string | null {
  const text = full.slice(-MAX_SCANNED_CHARS);
  const key = `\\(?([${letters}])\\)?`;
  const after = String.raw`(?:\*\*)?(?:[.,:\s]|$)`;
  const standalone = String.raw`(?:^|\s)(?:\*\*)?${key}${after}`;
  const patterns = [
    new RegExp(`final answer is:?\\s*${key}\\.?\\s?I hope`, 'gi'),
    new RegExp(`final answer.{0,100}?\\s+is:?\\s*${key}`, 'gi'),
    new RegExp(`answer:.{0,50}?${standalone}`, 'gi'),
    new RegExp(`answer.{0,50}?${standalone}`, 'gi'),
    new RegExp(String.raw`^(?:\*\*)?${key}${after}`, 'g'),
    new RegExp(standalone, 'g'),
  ];
  for (const re of patterns) {
    let best: { end: number; start: number; letter: string } | null = null;
    for (const m of text.matchAll(re)) {
      const end = m.index + m[0].length;
      if (!best || end > best.end || (end === best.end && m.index < best.start))
        best = { end, start: m.index, letter: m[1].toUpperCase() };
    }
    if (best) return best.letter;
  }
  return null;
}
