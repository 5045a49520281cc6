/**
 * Finding the answer in prose without `\boxed{}`, the way Math-Verify's parser does (docs/math-verifier.md §1):
 * patterns in priority order — "final answer is X. I hope", "final answer … is X", "answer: … X", "answer … X",
 * then any math environment or number — and within one priority the match that ends last wins. X is a math
 * environment (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`, a bare `\frac{1}{2}`), up to six of them joined by "," / "and" /
 * "or" (then they are one list), or a plain number or arithmetic expression (`1,000.99`, `2,74`, `1/3`).
 */

const DISPLAY_DOLLAR = String.raw`(?<!\\)\$\$(?:[^$]|\$(?!\$))+?(?<!\\)\$\$`;
const DISPLAY_BRACKET = String.raw`(?<!\\)\\\[(?:[^\\]|\\(?!\]))+?(?<!\\)\\\]`;
const INLINE_DOLLAR = String.raw`(?<![\\\d])\$(?:\\\$|[^\n$])+?(?<!\\)\$`;
const INLINE_PAREN = String.raw`(?<!\\)\\\((?:[^\\\n]|\\(?!\)))+?(?<!\\)\\\)`;
const FRACTION = String.raw`-?\\frac\{-?\d+(?:[.,]\d+)?\}\{-?\d+(?:[.,]\d+)?\}`;
const PERCENT = String.raw`(?:\s*(?:\\?%|[Pp]ercent(?:age)?|[Pp]ct))?`;
const ENV = `(?:${DISPLAY_DOLLAR}|${DISPLAY_BRACKET}|${INLINE_DOLLAR}|${INLINE_PAREN}|${FRACTION})${PERCENT}`;
/** Up to six environments joined by "," / "and" / "or": one answer with several parts. */
const ENVS = `${ENV}(?:\\s*(?:,?\\s*and|,?\\s*or|,)\\s*${ENV}){0,5}`;

const NUMBER = String.raw`(?<!\d)(?:-?[1-9]\d{0,2}(?:[ ,]\d{3})+(?:\.\d+)?|-?\d+[.,]\d+|\.\d+|-?\d+)(?:\s*(?:%|[Pp]ercent(?:age)?|[Pp]ct))?`;
const OPERATORS = String.raw`+\-*×/^()÷`;
const EXPR = String.raw`-?\(?-?\d[\d.\s${OPERATORS}]*[${OPERATORS}][\d.\s${OPERATORS}]+\)?(?=(?:\*\*)?(?:[.,:\s)$]|$))`;
/** A number or expression standing on its own: after a space, `=` or the start, optionally after a currency sign. */
const NUMEXPR = String.raw`(?:(?<=^|[\s=])(?:\*\*)?(?:${EXPR}|[$€£¥₹]?${NUMBER}))`;

/** [pattern, priority]; lower priorities are tried first. */
const PATTERNS: [RegExp, number][] = [
  [new RegExp(`final answer is:?\\s*(${ENVS})\\.?\\s?I hope`, 'gi'), 0],
  [new RegExp(`final answer is:?\\s*(${NUMEXPR})\\.?\\s?I hope`, 'gi'), 0],
  [new RegExp(`final answer[\\s\\S]{0,100}?\\s+is:?\\s*(${ENVS})`, 'gi'), 50],
  [new RegExp(`final answer.{0,100}?\\s+is:?\\s*(${NUMEXPR})`, 'gi'), 50],
  [new RegExp(`answer:[\\s\\S]{0,50}?(${ENVS})`, 'gi'), 100],
  [new RegExp(`answer:(?:.{0,100}=\\s*|.{0,50}?)(${NUMEXPR})(?!\\s*=)`, 'gi'), 100],
  [new RegExp(`answer[\\s\\S]{0,50}?(${ENVS})`, 'gi'), 200],
  [new RegExp(`answer(?:.{0,100}=\\s*|.{0,50}?)(${NUMEXPR})(?!\\s*=)`, 'gi'), 200],
  [new RegExp(`(${ENVS})`, 'g'), 300],
  [new RegExp(`(${NUMEXPR})`, 'g'), 300],
];

const SINGLE_ENV = new RegExp(`(${ENV})`, 'g');
const WORD = /[a-zA-Z]{3,}/;

/** Whether `text` reads as prose around an answer rather than being the bare answer itself. */
export function isProse(text: string): boolean {
  const outside = text
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
  const envs = [...match.matchAll(SINGLE_ENV)].map((m) => envContent(m[1]));
  if (envs.length > 0) return envs.filter((e) => e !== '').join(', ');
  return plainNumber(match.trim());
}

/** The answer Math-Verify's patterns find in `text`, or null when none matches. */
export function locateAnswer(text: string): string | null {
  return locate(text, 300)?.answer ?? null;
}

/** "The final answer is X. I hope it is correct." (the highest-priority pattern), with where it starts. */
export function finalAnswerStatement(text: string): { answer: string; start: number } | null {
  return locate(text, 0);
}

function locate(text: string, maxPriority: number): { answer: string; start: number } | null {
  for (let priority = 0; priority <= maxPriority; priority++) {
    const group = PATTERNS.filter(([, p]) => p === priority);
    if (group.length === 0) continue;
    let best: { start: number; end: number; text: string } | null = null;
    for (const [re, _] of group) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        if (m[0].length === 0) re.lastIndex++;
        const end = m.index + m[0].length;
        if (!best || end > best.end || (end === best.end && m.index < best.start))
          best = { start: m.index, end, text: m[1] };
      }
    }
    if (best) {
      const answer = located(best.text);
      if (answer !== '') return { answer, start: best.start };
    }
  }
  return null;
}
