/**
 * LaTeX normalisation: rewrites the many spellings of one answer to one spelling before parsing. Two levels: the
 * whole answer (commands, unicode, spacing) and each leaf value (units, percent, degrees, thousands separators),
 * because `5 cm, 3 cm` must lose its units per item and `1,000` is a thousands separator only when it is the whole
 * value (inside `[1,100]` the comma separates).
 */
import { matchBrace } from './extract.ts';

const UNICODE: [RegExp, string][] = [
  [/[−–—]/g, '-'],
  [/×/g, '\\times '],
  [/÷/g, '\\div '],
  [/·/g, '\\cdot '],
  [/√/g, '\\sqrt '],
  [/π/g, '\\pi '],
  [/∞/g, '\\infty '],
  [/±/g, '\\pm '],
  [/∓/g, '\\mp '],
  [/≤/g, '\\le '],
  [/≥/g, '\\ge '],
  [/≠/g, '\\ne '],
  [/∪/g, '\\cup '],
  [/∩/g, '\\cap '],
  [/°/g, '^\\circ '],
  [/[\u00a0\u2009\u202f]/g, ' '],
  [/\*\*/g, '^'],
];
const SUPERSCRIPTS: Record<string, string> = {
  '⁰': '0',
  '¹': '1',
  '²': '2',
  '³': '3',
  '⁴': '4',
  '⁵': '5',
  '⁶': '6',
  '⁷': '7',
  '⁸': '8',
  '⁹': '9',
  '⁻': '-',
};

/** Commands whose argument is kept as plain text (a space in front keeps `5\text{m}` from becoming the symbol `5m`). */
const TEXT_COMMANDS = [
  'text',
  'textbf',
  'textit',
  'textrm',
  'texttt',
  'mathrm',
  'mathbf',
  'mathit',
  'mathsf',
  'mathtt',
  'mbox',
  'hbox',
  'operatorname',
  'textnormal',
  'emph',
  'boldsymbol',
  'bm',
  'mathbb',
  'mathcal',
];
/** Commands that only change size or spacing. */
const DROP_COMMANDS =
  /\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg|displaystyle|textstyle|scriptstyle|limits|nolimits)(?![a-zA-Z])/g;

/** Replaces `\cmd{arg}` by `before + arg + after` for each command in `names`, balanced braces, innermost last. */
export function unwrapCommand(text: string, names: readonly string[], before = '', after = ''): string {
  const re = new RegExp(`\\\\(?:${names.join('|')})(?![a-zA-Z])\\s*\\{`, 'g');
  let out = text;
  for (let guard = 0; guard < 200; guard++) {
    re.lastIndex = 0;
    const m = re.exec(out);
    if (!m) break;
    const open = m.index + m[0].length - 1;
    const end = matchBrace(out, open);
    if (end < 0) {
      out = out.slice(0, m.index) + before + out.slice(open + 1);
      continue;
    }
    out = out.slice(0, m.index) + before + out.slice(open + 1, end - 1) + after + out.slice(end);
  }
  return out;
}

/** Whole-answer normalisation: unicode, sizing commands, fraction spellings, spacing, text commands. */
export function normalizeLatex(input: string): string {
  let s = input.normalize('NFC');
  // Over-escaped strings (`\\frac`, `\\le`): a doubled backslash before a command name is one backslash, except in a
  // matrix, where `\\` ends a row.
  if (!s.includes('\\begin')) s = s.replace(/\\\\(?=[a-zA-Z])/g, '\\');
  s = s.replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+/g, (m) => `^{${[...m].map((c) => SUPERSCRIPTS[c]).join('')}}`);
  for (const [re, to] of UNICODE) s = s.replace(re, to);
  // NFKC after the superscripts are rewritten: NFKC alone would turn x² into x2.
  s = s.normalize('NFKC');
  // NFKC spells ¾ with the fraction slash U+2044
  s = s.replace(/\u2044/g, '/');
  s = s.replace(/\\left\.|\\right\./g, '');
  s = s.replace(DROP_COMMANDS, '');
  s = s.replace(/\\(?:d|t|c)frac(?![a-zA-Z])/g, '\\frac').replace(/(^|[^\\a-zA-Z])dfrac(?=\s*[{\d])/g, '$1\\frac');
  s = s.replace(/\\(?:dbinom|tbinom)(?![a-zA-Z])/g, '\\binom');
  s = s.replace(/\\(?:lvert|rvert|vert)(?![a-zA-Z])/g, '|').replace(/\\\|/g, '|');
  s = s.replace(/\\langle(?![a-zA-Z])/g, '(').replace(/\\rangle(?![a-zA-Z])/g, ')');
  s = s.replace(/\\lbrace(?![a-zA-Z])/g, '\\{').replace(/\\rbrace(?![a-zA-Z])/g, '\\}');
  s = s.replace(/\\lbrack(?![a-zA-Z])/g, '[').replace(/\\rbrack(?![a-zA-Z])/g, ']');
  s = s.replace(/\\(?:lt)(?![a-zA-Z])/g, '<').replace(/\\(?:gt)(?![a-zA-Z])/g, '>');
  s = s.replace(/\\(?:leq|leqslant)(?![a-zA-Z])/g, '\\le').replace(/\\(?:geq|geqslant)(?![a-zA-Z])/g, '\\ge');
  s = s.replace(/\\(?:neq)(?![a-zA-Z])/g, '\\ne').replace(/!=/g, '\\ne ');
  s = s.replace(/\\(?:dots|ldots|cdots)(?![a-zA-Z])/g, '\\dots');
  // Thousands separators that are unambiguous anywhere: 1{,}000, 1\,000 and 1,\!000 (the plain comma form is decided
  // per leaf).
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s
      .replace(/(?<=\d)\s*\{\s*,\s*\}\s*(?=\d{3}(?!\d))/g, '')
      .replace(/(?<=\d)\\[,!]\s?(?=\d{3}(?!\d))/g, '')
      .replace(/(?<=\d),\s*\\!\s*(?=\d{3}(?!\d))/g, '');
  }
  // An escaped dollar sign is currency, not math.
  s = s.replace(/\\\$\s*/g, '');
  s = s.replace(/(?<!\\)\\[,!;:> ]|\\q?quad(?![a-zA-Z])|~/g, ' ');
  // The reals as an interval, before \mathbb is unwrapped to a bare R.
  s = s.replace(/\\mathbb\s*\{\s*R\s*\}|\\mathbb\s+R(?![a-zA-Z])|ℝ/g, '(-\\infty, \\infty)');
  s = unwrapCommand(s, TEXT_COMMANDS, ' ', ' ');
  // One-character scripts lose their braces (x_{1} = x_1, 1011_{2} = 1011_2) so equal spellings compare equal.
  s = s.replace(/([_^])\{\s*([a-zA-Z0-9])\s*\}/g, '$1$2');
  // `x = 1/3 \approx 0.33`, `4\pi \approx 12.57`: the approximation after an exact value adds nothing; after a bare
  // name (`x \approx 11`) or leading (`\approx 0.33`) it states the value.
  s = s
    .replace(/(^|[=,;])([^=,;]*?\S)\s*\\approx(?![a-zA-Z])[^,;]*/g, (m, before: string, exact: string) =>
      /^\s*(?:[a-zA-Z]|\\[a-zA-Z]+)(?:_\{?\w+\}?)?\s*$/.test(exact) && before !== '=' ? m : `${before}${exact}`
    )
    .replace(/\\approx(?![a-zA-Z])/g, '=');
  // `x \in [0, 1]`: the membership names the variable; the set is the answer.
  s = s.replace(/^\s*(?:[a-zA-Z]|\\[a-zA-Z]+)\s*\\in(?![a-zA-Z])\s*/, '');
  s = s.replace(REPEATING, repeatingToFraction);
  s = s.replace(/\\(?:degree|textdegree)(?![a-zA-Z])/g, '^\\circ');
  // `2 \pmod 5`, `2 \pmod{5}`: the modulus is the question's context, the residue the answer
  s = s.replace(/\s*\\pmod\s*(?:\{[^{}]*\}|\w+)\s*$/, '');
  return s.replace(/\s+/g, ' ').trim();
}

/** `0.\overline{3}`, `1.2\overline{45}`: repeating decimals, rewritten as the exact fraction they denote. */
const REPEATING = /(\d*)\.(\d*)\\overline\s*\{\s*(\d{1,12})\s*\}/g;

function repeatingToFraction(_m: string, int: string, fixed: string, repeat: string): string {
  // x = int.fixed(repeat)… = (int·fixed·repeat − int·fixed) / (10^|fixed| · (10^|repeat| − 1))
  const all = BigInt((int || '0') + fixed + repeat);
  const head = BigInt((int || '0') + fixed);
  const den = 10n ** BigInt(fixed.length) * (10n ** BigInt(repeat.length) - 1n);
  return `\\frac{${all - head}}{${den}}`;
}

/**
 * Trailing units stripped from a value (documented in docs/math-verifier.md). Single letters (m, g, s, h, L, J, N, W, V) only
 * when separated by a space, since `2m` is more often the symbol m than two metres.
 */
const UNIT_WORDS = [
  'km',
  'cm',
  'mm',
  'nm',
  'kg',
  'mg',
  'ml',
  'mL',
  'ft',
  'yd',
  'mi',
  'lb',
  'lbs',
  'oz',
  'mph',
  'kmh',
  'hr',
  'hrs',
  'sec',
  'secs',
  'min',
  'mins',
  'cal',
  'kcal',
  'kW',
  'kJ',
  'kPa',
  'Hz',
  'meter',
  'meters',
  'metre',
  'metres',
  'centimeter',
  'centimeters',
  'millimeter',
  'millimeters',
  'kilometer',
  'kilometers',
  'inch',
  'inches',
  'foot',
  'feet',
  'yard',
  'yards',
  'mile',
  'miles',
  'gram',
  'grams',
  'kilogram',
  'kilograms',
  'pound',
  'pounds',
  'ounce',
  'ounces',
  'ton',
  'tons',
  'liter',
  'liters',
  'litre',
  'litres',
  'milliliter',
  'milliliters',
  'gallon',
  'gallons',
  'cup',
  'cups',
  'second',
  'seconds',
  'minute',
  'minutes',
  'hour',
  'hours',
  'day',
  'days',
  'week',
  'weeks',
  'month',
  'months',
  'year',
  'years',
  'degree',
  'degrees',
  'deg',
  'dollar',
  'dollars',
  'cent',
  'cents',
  'euro',
  'euros',
  'unit',
  'units',
  'sq units',
  'square units',
  'cubic units',
];
const SINGLE_LETTER_UNITS = ['m', 'g', 's', 'h', 'L', 'J', 'N', 'W', 'V', 'Pa'];
const UNIT_RE = new RegExp(
  `(?<=[\\d}\\)\\]]|^|\\s)\\s*(?:(?:square|sq\\.?|cubic)\\s+)?(?:${UNIT_WORDS.map((u) => u.replace(/ /g, '\\s+')).join('|')})(?:\\s*(?:\\^\\s*\\{?\\s*[23]\\s*\\}?|[²³]))?\\s*$`
);
const SPACED_UNIT_RE = new RegExp(
  `(?<=[\\d}\\)\\]])\\s+(?:${SINGLE_LETTER_UNITS.join('|')})(?:\\s*\\^\\s*\\{?\\s*[23]\\s*\\}?)?\\s*$`
);
/** Unit spellings with a slash (`km/h`, `m/s`) and `\$`. */
const COMPOUND_UNIT_RE =
  /(?<=[\d})\]]|\s)\s*(?:km\/h|m\/s|ft\/s|m\/s\^\{?2\}?|km\/hr|miles per hour|per hour|per day)\s*$/;

/** A leaf value after its own normalisation. */
export interface LeafText {
  /** The value with units, degrees, dollars, `%` and thousands separators removed. */
  text: string;
  /** Whether the value was written as a percentage (`50\%`, `50%`, `50 percent`). */
  percent: boolean;
}

/** Per-value normalisation: percent, currency, degrees, trailing units, thousands separators, spacing. */
export function normalizeLeaf(input: string): LeafText {
  let s = input.trim();
  let percent = false;
  s = s.replace(/\\\$|\$/g, ' ').trim();
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/\s*\.$/, '').trim();
    if (/(?:\\%|%|\s*percent)$/.test(s)) {
      percent = true;
      s = s.replace(/(?:\\%|%|\s*percent)$/, '').trim();
    }
    // degrees, also of temperature (25^\circ C)
    s = s.replace(/(?:\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ)\s*(?:[CF](?![a-zA-Z]))?\s*$/, '').trim();
    s = s.replace(COMPOUND_UNIT_RE, '').trim();
    if (/\S/.test(s.replace(UNIT_RE, ''))) s = s.replace(UNIT_RE, '').trim();
    if (/\S/.test(s.replace(SPACED_UNIT_RE, ''))) s = s.replace(SPACED_UNIT_RE, '').trim();
  }
  // Degrees written mid-expression (`30^\circ + x`) carry no value either.
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ/g, '');
  // A number followed only by words ("18 eggs", "2 apples"): the words are a unit we do not list.
  const counted = /^([+-]?\d[\d,]*(?:\.\d+)?)(?:\s+[a-zA-Z]{3,})+$/.exec(s);
  if (counted) s = counted[1];
  // `1,000` / `-12,345.5` only when the comma-grouped number is the whole value (see module comment).
  if (/^[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  return { text: s.replace(/\s+/g, ' ').trim(), percent };
}
