/**
 * Answer pairs with a known verdict, for the differential test against Math-Verify and the rewards-math benchmark.
 * Each family draws a value and writes it several equivalent ways (reordered, reformatted, with units or labels)
 * and a few near misses (one number changed, a bracket flipped, an item dropped); the prediction is one of them,
 * wrapped as a bare `$…$`, a `\boxed{}`, a sentence, several boxes or a full reasoning text. The gold is the
 * canonical form in `$…$`, as datasets give it.
 */
import { textSeededRandom } from '../../rl/random.ts';

export interface TruthPair {
  family: string;
  gold: string;
  prediction: string;
  /** The true verdict. */
  equivalent: boolean;
}

interface Draw {
  family: string;
  gold: string;
  same: string[];
  wrong: string[];
  /** Items of a list-like answer, for predictions written as several boxes. */
  items?: string[];
  /** A sentence stating the answer among other numbers (no math delimiters), used instead of the usual wrappers. */
  prose?: (answer: string) => string;
}

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
function gcd(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : gcd(b, a % b);
}
function shuffled<T>(r: Rand, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
/** A list in a different order (a rotation, so never the same order for 2+ distinct items). */
const rotated = <T>(xs: readonly T[]): T[] => [...xs.slice(1), xs[0]];

const FAMILIES: ((r: Rand) => Draw)[] = [
  function integer(r) {
    const n = int(r, 1000, 99999);
    const grouped = n.toLocaleString('en-US');
    return {
      family: 'integer',
      gold: `${n}`,
      same: [grouped, `${n}.0`, `${grouped} \\text{ cm}`, `\\$${grouped}`],
      wrong: [`${n + 1}`, `${-n}`, `${Math.floor(n / 10)}`],
    };
  },
  function fraction(r) {
    const q = pick(r, [3, 7, 9, 11, 13]);
    let p = int(r, 1, 40);
    if (gcd(p, q) !== 1) p += 1;
    if (gcd(p, q) !== 1) p = 1;
    return {
      family: 'fraction',
      gold: `\\frac{${p}}{${q}}`,
      same: [`${p}/${q}`, `\\dfrac{${2 * p}}{${2 * q}}`, `\\frac{${3 * p}}{${3 * q}}`, (p / q).toFixed(8)],
      wrong: [`\\frac{${p + 1}}{${q}}`, `\\frac{${q}}{${p}}`, (p / q).toFixed(2)],
    };
  },
  function decimal(r) {
    const p = int(r, 1, 199);
    const q = pick(r, [2, 4, 5, 8]);
    const d = p / q;
    return {
      family: 'decimal',
      gold: `${d}`,
      same: [`\\frac{${p}}{${q}}`, `${d.toFixed(3)}`, `${p}/${q}`],
      wrong: [`${(d + 0.25).toString()}`, `${(d * 10).toString()}`],
    };
  },
  function radical(r) {
    const a = int(r, 2, 9);
    const b = pick(r, [2, 3, 5, 6, 7]);
    return {
      family: 'radical',
      gold: `${a}\\sqrt{${b}}`,
      same: [`\\sqrt{${a * a * b}}`, `\\sqrt{${b}} \\cdot ${a}`, `${a} \\sqrt ${b}`],
      wrong: [`${a + 1}\\sqrt{${b}}`, `${a}\\sqrt{${b + 1}}`, `\\sqrt{${a * b}}`],
    };
  },
  function piOrE(r) {
    const a = int(r, 2, 9);
    const b = pick(r, [3, 5, 7]);
    if (r() < 0.5)
      return {
        family: 'pi',
        gold: `\\frac{${a}\\pi}{${b}}`,
        same: [`\\frac{${a}}{${b}}\\pi`, `${a}\\pi/${b}`, `\\pi \\cdot \\frac{${a}}{${b}}`],
        wrong: [`\\frac{${a + 1}\\pi}{${b}}`, `\\frac{${a}}{${b}}`],
      };
    return {
      family: 'e',
      gold: `e^{${a}}`,
      same: [`e^${a}`, `\\mathrm{e}^{${a}}`, `e^{${a - 1}} \\cdot e`],
      wrong: [`e^{${a + 1}}`, `${a}e`],
    };
  },
  function interval(r) {
    const a = int(r, -9, 3);
    const b = a + int(r, 1, 9);
    const [o, c] = pick(r, [
      ['(', ')'],
      ['[', ']'],
      ['(', ']'],
      ['[', ')'],
    ] as const);
    const flip = (x: string) => ({ '(': '[', '[': '(', ')': ']', ']': ')' })[x];
    return {
      family: 'interval',
      gold: `${o}${a}, ${b}${c}`,
      same: [`\\left${o}${a},${b}\\right${c}`, `${o} ${a} , ${b} ${c}`],
      wrong: [`${flip(o)}${a}, ${b}${c}`, `${o}${a}, ${b + 1}${c}`],
    };
  },
  function intervalAsInequality(r) {
    const a = int(r, -9, 9);
    const b = a + int(r, 1, 9);
    return {
      family: 'interval-as-inequality',
      gold: `[${a}, ${b})`,
      same: [`${a} \\le x < ${b}`, `x \\in [${a}, ${b})`],
      wrong: [`${a} < x < ${b}`, `${a} \\le x \\le ${b}`],
    };
  },
  function inWords(r) {
    const n = int(r, 13, 500);
    const k = int(r, 2, 9);
    return {
      family: 'in-words',
      gold: `${n}`,
      same: [`${n}`],
      wrong: [`${n + k}`],
      prose: (x: string) => `Each of the ${k} boxes holds ${n * k} grams in total, so one share is ${x} grams.`,
    };
  },
  function union(r) {
    const a = int(r, -9, 0);
    const b = a + int(r, 1, 6);
    return {
      family: 'union',
      gold: `(-\\infty, ${a}) \\cup (${b}, \\infty)`,
      same: [`(${b}, \\infty) \\cup (-\\infty, ${a})`, `\\left(-\\infty,${a}\\right)\\cup\\left(${b},\\infty\\right)`],
      wrong: [`(-\\infty, ${a}] \\cup (${b}, \\infty)`, `(-\\infty, ${a}) \\cup (${b + 1}, \\infty)`],
    };
  },
  function inequality(r) {
    const a = int(r, -20, 20);
    const [op, tex, ascii, flipped] = pick(r, [
      ['>', '>', '>', '<'],
      ['\\geq', '\\ge', '>=', '\\leq'],
      ['<', '<', '<', '>'],
      ['\\leq', '\\le', '<=', '\\geq'],
    ] as const);
    return {
      family: 'inequality',
      gold: `x ${op} ${a}`,
      same: [`x ${tex} ${a}`, `x ${ascii} ${a}`, `${a} ${flipped} x`],
      wrong: [`x ${op} ${a + 1}`, `x ${flipped} ${a}`],
    };
  },
  function set(r) {
    const items = shuffled(r, [int(r, -9, -1), int(r, 0, 9), int(r, 10, 30)]).map(String);
    return {
      family: 'set',
      gold: `\\{${items.join(', ')}\\}`,
      same: [`\\{${rotated(items).join(',')}\\}`, `\\left\\{${[...items].reverse().join(', ')}\\right\\}`],
      wrong: [`\\{${items.slice(1).join(', ')}\\}`, `\\{${items[0]}, ${items[1]}, ${Number(items[2]) + 1}\\}`],
      items,
    };
  },
  function tuples(r) {
    const a = int(r, 1, 9);
    const b = a + int(r, 1, 9);
    const items = [`(${a}, ${b})`, `(${b}, ${a})`];
    return {
      family: 'tuples',
      gold: items.join(', '),
      same: [`(${b},${a}),(${a},${b})`, `(${a}, ${b}) \\text{ and } (${b}, ${a})`],
      wrong: [`(${a}, ${b})`, `(${a}, ${b}), (${b}, ${a + 1})`],
      items,
    };
  },
  function point(r) {
    const a = int(r, -9, 9);
    const b = int(r, -9, 9);
    return {
      family: 'point',
      gold: `(${a}, ${b})`,
      same: [`\\left( ${a}, ${b} \\right)`, `(x, y) = (${a}, ${b})`],
      wrong: [`(${b}, ${a === b ? a + 1 : a})`, `(${a}, ${b + 1})`],
    };
  },
  function matrix(r) {
    const m = [int(r, -5, 9), int(r, -5, 9), int(r, -5, 9), int(r, -5, 9)];
    const env = (e: string, xs: number[]) => `\\begin{${e}} ${xs[0]} & ${xs[1]} \\\\ ${xs[2]} & ${xs[3]} \\end{${e}}`;
    return {
      family: 'matrix',
      gold: env('pmatrix', m),
      same: [env('bmatrix', m), `\\left[${env('array}{cc', m).replace('\\end{array}{cc}', '\\end{array}')}\\right]`],
      wrong: [
        env('pmatrix', [m[0], m[2], m[1] + (m[1] === m[2] ? 1 : 0), m[3]]),
        env('pmatrix', [m[0] + 1, m[1], m[2], m[3]]),
      ],
    };
  },
  function equation(r) {
    const a = int(r, 2, 9);
    const b = int(r, 1, 9);
    return {
      family: 'equation',
      gold: `y = ${a}x + ${b}`,
      same: [`y = ${b} + ${a}x`, `y=${a}x+${b}`, `${a}x - y + ${b} = 0`],
      wrong: [`y = ${a}x - ${b}`, `y = ${a + 1}x + ${b}`],
    };
  },
  function labelled(r) {
    const p = int(r, 1, 9);
    const q = p + int(r, 1, 9);
    return {
      family: 'labelled',
      gold: `\\frac{${p}}{${q}}`,
      same: [`\\frac{AB}{BC} = \\frac{${p}}{${q}}`, `x = \\frac{${p}}{${q}}`, `P = ${p}/${q}`],
      wrong: [`\\frac{AB}{BC} = \\frac{${q}}{${p}}`, `x = \\frac{${p + q}}{${q}}`],
    };
  },
  function percent(r) {
    const n = int(r, 1, 99);
    return {
      family: 'percent',
      gold: `${n}\\%`,
      same: [`${n}%`, `${n} \\%`],
      wrong: [`${n + 1}\\%`, `${n + 10}%`],
    };
  },
];

const THINK =
  'Let me work through this carefully. First I write down what is given and set up the relation between the ' +
  'quantities, then I simplify step by step and check the result against the conditions of the problem. ';

/** How the prediction is written around its answer. */
function wrap(r: Rand, answer: string, items: string[] | undefined, equivalent: boolean): string {
  const styles = ['bare', 'boxed', 'sentence', 'final', 'reasoning', 'plain'];
  if (items && equivalent) styles.push('boxes');
  switch (pick(r, styles)) {
    case 'bare':
      return `$${answer}$`;
    case 'boxed':
      return `$\\boxed{${answer}}$`;
    case 'sentence':
      return `Therefore, the answer is $${answer}$.`;
    case 'plain':
      return `So the answer is ${answer}.`;
    case 'final':
      return `Final Answer: The final answer is $${answer}$. I hope it is correct.`;
    case 'boxes':
      return `So the answers are ${rotated(items as string[])
        .map((x) => `$\\boxed{${x}}$`)
        .join(' and ')}.`;
    default:
      return `<think>${THINK.repeat(int(r, 1, 4))}</think>\nPutting it together, we get $$\\boxed{${answer}}$$`;
  }
}

/** `n` pairs drawn from every family in turn, about half of them equivalent; the same for the same seed. */
export function truthPairs(n: number, seed = 'math-verify-differential'): TruthPair[] {
  const r = textSeededRandom(seed);
  const pairs: TruthPair[] = [];
  for (let k = 0; k < n; k++) {
    const d = FAMILIES[k % FAMILIES.length](r);
    const equivalent = r() < 0.5;
    const answer = pick(r, equivalent ? d.same : d.wrong);
    const prediction = d.prose ? d.prose(answer) : wrap(r, answer, d.items, equivalent);
    pairs.push({ family: d.family, gold: `$${d.gold}$`, prediction, equivalent });
  }
  return pairs;
}
