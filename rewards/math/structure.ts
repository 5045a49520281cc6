/**
 * The shape of an answer: a scalar, an equation, a tuple/interval, a set, an unordered list, a union, a matrix, or
 * text. Parsed from normalised LaTeX by splitting at top-level delimiters only (commas inside `\frac{a,b}` or
 * `(0,1]` never split the answer).
 */
import { evaluateMatrixExpression } from './matrix-expression.ts';
import { normalizeLeaf } from './normalize.ts';

export type MathValue =
  | { kind: 'scalar'; text: string; percent: boolean }
  | { kind: 'text'; text: string }
  /**
   * `variable` is set when the left side is a bare name (`x = 2`, `f(x) = …`); `value` is the last side, which is
   * what the equation states when compared with a plain value (`\frac{NO}{BO} = \frac{1}{\sqrt6}`) if `assigns`: the
   * side before it names something (no digits outside subscripts), unlike `2x + z = 1`, which is a condition.
   */
  | { kind: 'equation'; lhs: string; rhs: string; variable: string | null; value: MathValue; assigns: boolean }
  /** `fromRelation`: written as an inequality (`-2 \le x \le 7`), not as an interval. */
  | { kind: 'seq'; open: '(' | '['; close: ')' | ']'; items: MathValue[]; fromRelation?: true }
  | { kind: 'set'; items: MathValue[] }
  /**
   * `alternatives`: joined by "or" (`x < -1 or x > 1`), which reads as a union when the items are intervals.
   * `decimalComma`: the list was written `1,22` (digits, one comma, no space), which may also be the decimal 1.22.
   */
  | { kind: 'list'; items: MathValue[]; alternatives?: boolean; decimalComma?: string }
  | { kind: 'union'; items: MathValue[] }
  | { kind: 'matrix'; rows: MathValue[][] };

/** Nesting deeper than this is not an answer; the parser stops and treats the rest as text. */
export const MAX_DEPTH = 12;
/** Items per list/set/tuple/matrix; beyond it the answer is compared as text (keeps matching quadratic cost small). */
export const MAX_ITEMS = 32;

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);

/**
 * Splits `s` at `separator` (a regex source matched at depth 0 only). Brackets of any kind nest, including `\{`,
 * `\}` and the mixed pairs of half-open intervals.
 */
export function splitTop(s: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  const sticky = new RegExp(separator.source, 'y');
  /** The length of a separator starting at `i` (0 when none does). */
  const separatorAt = (i: number): number => {
    sticky.lastIndex = i;
    return sticky.exec(s)?.[0].length ?? 0;
  };
  /** Ends the current part at `i`, skips the separator, and returns the index the loop resumes after. */
  const cutAt = (i: number, length: number): number => {
    parts.push(s.slice(start, i));
    start = i + length;
    return start - 1;
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      const cmd = /^\\(begin|end)\{/.exec(s.slice(i, i + 8));
      if (cmd) depth += cmd[1] === 'begin' ? 1 : -1;
      if (s[i + 1] === '{') depth++;
      else if (s[i + 1] === '}') depth--;
      const length = depth === 0 ? separatorAt(i) : 0;
      i = length > 0 ? cutAt(i, length) : i + 1;
      continue;
    }
    if (OPENERS.has(c)) depth++;
    else if (CLOSERS.has(c)) depth--;
    else if (depth === 0) {
      const length = separatorAt(i);
      if (length > 0) i = cutAt(i, length);
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Index of the last character of the bracket closing the one at 0 (any kind closes any: `(0,1]`), or -1. */
function matchingClose(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s[i];
    if (c === '\\') {
      // `\{` and `\}` are brackets too (set delimiters); any other escaped character is not
      if (s[i + 1] !== '{' && s[i + 1] !== '}') {
        i++;
        continue;
      }
      c = s[++i];
    }
    if (OPENERS.has(c)) depth++;
    else if (CLOSERS.has(c)) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

const LIST_SEPARATOR = /\s*(?:,|;|\s+or\s+|\s+and\s+|(?<=[)\]])\s*(?:or|and)\s*(?=[([]))\s*/;
/** `=` that is not part of `<=`, `>=` or `!=`. */
const EQUALS = /\s*(?<![<>!])=\s*/;
const INFINITY = /^([+-])?\s*(?:\\infty|\\infin|infinity|infty|inf|oo)$/i;
const SIMPLE_LHS =
  /^(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?[a-zA-Z0-9]+\}?)?(?:'*)?(?:\s*\(\s*[a-zA-Z](?:\s*,\s*[a-zA-Z])*\s*\))?$/;
/** Names of geometric objects and quantities: `\\angle ABC`, `m\\angle A`, `AB`, `\\overline{AB}`, `P(A)`. */
/** A tuple of names: `(x, y) = (1, 2)`. */
const TUPLE_LHS = /^\(\s*[a-zA-Z](?:_\{?[a-zA-Z0-9]+\}?)?(?:\s*,\s*[a-zA-Z](?:_\{?[a-zA-Z0-9]+\}?)?)+\s*\)$/;
const NAME_LHS =
  /^(?:m\s*)?(?:\\(?:angle|measuredangle|triangle|overline|widehat|arc)\s*)?\{?\s*[a-zA-Z][a-zA-Z0-9_']*\s*\}?(?:\s*\(\s*[a-zA-Z0-9, ]*\))?$/;
const RELATION = /\\le(?![a-zA-Z])|\\ge(?![a-zA-Z])|<=|>=|<|>/;

export function isInfinity(v: MathValue): 1 | -1 | 0 {
  if (v.kind !== 'scalar') return 0;
  const m = INFINITY.exec(v.text.replace(/\s+/g, ''));
  return m ? (m[1] === '-' ? -1 : 1) : 0;
}

/** Number words a response may answer with ("The answer is zero."). */
const NUMBER_WORDS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
  'twenty',
];

function leaf(s: string): MathValue {
  const normalised = normalizeLeaf(s);
  const word = NUMBER_WORDS.indexOf(normalised.text.toLowerCase());
  const { text, percent } = word >= 0 ? { ...normalised, text: String(word) } : normalised;
  // Words are text answers ("Monday", "no solution"); letter runs of ≥ 3 that are not function names are words.
  const bare = text.replace(/\\[a-zA-Z]+/g, ' ');
  const words = bare.match(/[a-zA-Z]{3,}/g) ?? [];
  const isWord = (w: string) =>
    !/^(?:(?:arc)?(?:sin|cos|tan|sec|csc|cot)h?|sqrt|exp|log|ln|pi|inf|infty|infinity)+$/i.test(w);
  if (words.some(isWord)) return { kind: 'text', text };
  return { kind: 'scalar', text, percent };
}

function relationToInterval(s: string, depth: number): MathValue | null {
  const pieces = splitTop(s, new RegExp(`\\s*(${RELATION.source})\\s*`));
  if (pieces.length < 2) return null;
  // splitTop drops the separators: recover the operators in order from the text
  const ops = [...s.matchAll(new RegExp(RELATION.source, 'g'))].map((m) => m[0]);
  if (ops.length !== pieces.length - 1 || pieces.length > 3) return null;
  const strict = (op: string) => op === '<' || op === '>';
  const less = (op: string) => op === '<' || op === '\\le' || op === '<=';
  const make = (lo: string | null, loOpen: boolean, hi: string | null, hiOpen: boolean): MathValue => ({
    kind: 'seq',
    fromRelation: true,
    open: loOpen ? '(' : '[',
    close: hiOpen ? ')' : ']',
    items: [
      lo === null ? leaf('-\\infty') : parseAt(lo, depth + 1),
      hi === null ? leaf('\\infty') : parseAt(hi, depth + 1),
    ],
  });
  const isVar = (p: string) => SIMPLE_LHS.test(p.trim());
  // `-x > -1` is `x < 1`
  const negated = (p: string) => /^-\s*/.test(p.trim()) && isVar(p.trim().replace(/^-\s*/, ''));
  const flip = (op: string) => (less(op) ? (strict(op) ? '>' : '>=') : strict(op) ? '<' : '<=');
  if (pieces.length === 2 && (negated(pieces[0]) || negated(pieces[1]))) {
    const [a, b] = pieces.map((p) => p.trim());
    const [x, other] = negated(a) ? [a.replace(/^-\s*/, ''), b] : [b.replace(/^-\s*/, ''), a];
    return relationToInterval(
      negated(a) ? `${x} ${flip(ops[0])} -(${other})` : `-(${other}) ${flip(ops[0])} ${x}`,
      depth
    );
  }
  // `1 \le |z| \le 2` is [-2, -1] ∪ [1, 2]
  const abs = pieces.length === 3 ? /^\|\s*([a-zA-Z])\s*\|$/.exec(pieces[1].trim()) : null;
  if (abs && less(ops[0]) && less(ops[1])) {
    const [lo, hi] = [pieces[0], pieces[2]];
    const negative = make(`-(${hi})`, strict(ops[1]), `-(${lo})`, strict(ops[0]));
    return { kind: 'union', items: [negative, make(lo, strict(ops[0]), hi, strict(ops[1]))] };
  }
  if (pieces.length === 3) {
    if (!isVar(pieces[1]) || less(ops[0]) !== less(ops[1])) return null;
    return less(ops[0])
      ? make(pieces[0], strict(ops[0]), pieces[2], strict(ops[1]))
      : make(pieces[2], strict(ops[1]), pieces[0], strict(ops[0]));
  }
  const [a, b] = pieces;
  const op = ops[0];
  if (isVar(a) && !isVar(b)) return less(op) ? make(null, true, b, strict(op)) : make(b, strict(op), null, true);
  if (isVar(b) && !isVar(a)) return less(op) ? make(a, strict(op), null, true) : make(null, true, a, strict(op));
  return null;
}

function expandPlusMinus(s: string): string[] | null {
  const m = /\\(pm|mp)(?![a-zA-Z])/.exec(s);
  if (!m) return null;
  const head = s.slice(0, m.index);
  const tail = s.slice(m.index + m[0].length);
  const [first, second] = m[1] === 'pm' ? ['+', '-'] : ['-', '+'];
  return [`${head}${first}${tail}`, `${head}${second}${tail}`];
}

function parseAt(raw: string, depth: number): MathValue {
  let s = raw.trim();
  if (depth > MAX_DEPTH) return { kind: 'text', text: s };
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s
      .replace(/^\$+|\$+$/g, '')
      .replace(/\s*\.$/, '')
      .trim();
  }
  // a bare `= 5` (or `\approx 5`, rewritten to `=`) states the value
  s = s.replace(/^=\s*/, '');
  if (s === '') return { kind: 'text', text: '' };
  if (/^(?:\\emptyset|\\varnothing|∅|\\\{\s*\\\})$/.test(s)) return { kind: 'set', items: [] };
  return (
    parseMatrix(s, depth) ??
    parseCollection(s, depth) ??
    parseBracketed(s, depth) ??
    parseStatement(s, depth) ??
    leaf(s)
  );
}

/** A matrix, a matrix in brackets, or a sum/difference/product of numeric matrices (evaluated). */
function parseMatrix(s: string, depth: number): MathValue | null {
  if (!s.includes('\\begin')) return null;
  // a matrix inside brackets: `\left[\begin{array}…\end{array}\right]`, `(\begin{pmatrix}…\end{pmatrix})`
  const bracketed = /^[([]\s*(\\begin\{(\w+)\}[\s\S]*\\end\{\2\})\s*[)\]]$/.exec(s);
  if (bracketed) return parseAt(bracketed[1], depth + 1);
  const evaluated = evaluateMatrixExpression(s);
  if (evaluated) return parseAt(evaluated, depth + 1);
  const matrix = /^\\begin\{([pbBvV]?matrix|smallmatrix|array)\}(?:\{[^}]*\})?([\s\S]*)\\end\{\1\}$/.exec(s);
  if (!matrix) return null;
  const rows = splitTop(matrix[2], /\\\\/)
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => splitTop(r, /&/).map((c) => parseAt(c, depth + 1)));
  if (rows.length > MAX_ITEMS || rows.some((r) => r.length > MAX_ITEMS)) return { kind: 'text', text: s };
  return { kind: 'matrix', rows };
}

/** Unions, `;`-separated groups, lists and `\pm`; null when `s` has none at its top level. */
function parseCollection(s: string, depth: number): MathValue | null {
  const unionParts = splitTop(s, /\s*\\cup\s*/);
  if (unionParts.length > 1) {
    const items = unionParts.map((p) => parseAt(p, depth + 1));
    // A union of sets is a set: \{1,3\} \cup \{2,4\} = \{1,2,3,4\}.
    if (items.every((v) => v.kind === 'set'))
      return { kind: 'set', items: items.flatMap((v) => (v.kind === 'set' ? v.items : [])) };
    return { kind: 'union', items };
  }
  // `p=5,q=2; p=7,q=2`: semicolons separate groups that are themselves lists
  const groups = splitTop(s, /\s*;\s*/);
  if (groups.length > 1 && groups.length <= MAX_ITEMS && groups.some((g) => splitTop(g, /,/).length > 1))
    return { kind: 'list', items: groups.map((g) => parseAt(g, depth + 1)) };
  const listParts = splitTop(s, LIST_SEPARATOR).filter((p) => p.trim() !== '');
  if (listParts.length > MAX_ITEMS) return { kind: 'text', text: s };
  // `1,000` and `12,345.6` are one number (the thousands rule), not a list
  if (listParts.length > 1 && !/^[+-]?\d+(?:\.\d+)?$/.test(normalizeLeaf(s).text)) {
    const alternatives = splitTop(s, /\s+or\s+/).length > 1;
    const items = listParts.map((p) => parseAt(p, depth + 1));
    const decimalComma = /^-?\d+,\d+$/.test(s) ? s.replace(',', '.') : undefined;
    return { kind: 'list', items, alternatives, ...(decimalComma ? { decimalComma } : {}) };
  }
  const pm = expandPlusMinus(s);
  return pm ? { kind: 'list', items: pm.map((p) => parseAt(p, depth + 1)) } : null;
}

/** `\{…\}` sets (and set-builder notation), `{a, b}`, tuples and intervals; null when `s` is not bracketed. */
function parseBracketed(s: string, depth: number): MathValue | null {
  if (s.startsWith('\\{') && s.endsWith('\\}') && matchingClose(s) === s.length - 1) {
    const inner = s.slice(2, -2);
    // set-builder notation {x | x > 2}, {x : 0 < x < 1}: the condition is the answer
    const builder = /^\s*[a-zA-Z]\s*(?:\\mid|\||:)\s*([\s\S]+)$/.exec(inner);
    if (builder) return parseAt(builder[1], depth + 1);
    const items = splitTop(inner, /\s*[,;]\s*/).filter((p) => p.trim() !== '');
    if (items.length > MAX_ITEMS) return { kind: 'text', text: s };
    return { kind: 'set', items: items.map((p) => parseAt(p, depth + 1)) };
  }
  if (!OPENERS.has(s[0]) || matchingClose(s) !== s.length - 1) return null;
  const inner = s.slice(1, -1);
  let items = splitTop(inner, /\s*,\s*/);
  // `(0;-2;6)`: semicolons as the item separator
  if (items.length === 1) items = splitTop(inner, /\s*;\s*/);
  if (s[0] === '{') {
    return items.length > 1
      ? { kind: 'set', items: items.map((p) => parseAt(p, depth + 1)) }
      : parseAt(inner, depth + 1);
  }
  if (items.length < 2) return null;
  if (items.length > MAX_ITEMS) return { kind: 'text', text: s };
  const close = s[s.length - 1];
  if (close !== ')' && close !== ']') return { kind: 'text', text: s };
  return { kind: 'seq', open: s[0] as '(' | '[', close, items: items.map((p) => parseAt(p, depth + 1)) };
}

/** Equations, `\ne` and inequalities; null when `s` has no relation at its top level. */
function parseStatement(s: string, depth: number): MathValue | null {
  const sides = splitTop(s, EQUALS);
  if (sides.length > 1) {
    const lhs = sides[0].trim();
    const rhs = sides[sides.length - 1].trim();
    if (lhs === '' || rhs === '') return { kind: 'text', text: s };
    const named = SIMPLE_LHS.test(lhs) || NAME_LHS.test(lhs) || TUPLE_LHS.test(lhs);
    const variable = named ? lhs.replace(/\s+/g, '') : null;
    // subscripts and a function's arguments (`f(2) = -1`) do not make the side a condition
    const named2 = sides[sides.length - 2].replace(/_\{[^{}]*\}|_\w|(?<=[a-zA-Z])\([^()]*\)/g, '');
    // a chain of constants (`48 + 24 = 72`) states its last side too
    const constant = sides.every(
      (side) => !/[a-zA-Z]/.test(side.replace(/\\(?:frac|dfrac|sqrt|cdot|times|div|pi)/g, ''))
    );
    const assigns = !/\d/.test(named2) || constant;
    return { kind: 'equation', lhs, rhs, variable, value: parseAt(rhs, depth + 1), assigns };
  }
  // `x \ne 3`: no interval states it; compared as written, spacing aside
  const ne = splitTop(s, /\s*\\ne(?![a-zA-Z])\s*/);
  if (ne.length === 2) return { kind: 'text', text: `${compactText(ne[0])}\\ne ${compactText(ne[1])}` };
  if (!RELATION.test(s)) return null;
  return relationToInterval(s, depth) ?? { kind: 'text', text: s };
}

function compactText(s: string): string {
  return s.replace(/\s+/g, '');
}

/** Parses one normalised answer into its shape. Never throws. */
export function parseAnswer(normalised: string): MathValue {
  try {
    return parseAt(normalised, 0);
  } catch {
    return { kind: 'text', text: normalised };
  }
}
