/**
 * Tiny Python functions induced from examples: the prompt shows `f` on three inputs (`f: 2->5, 4->7, 0->3`), the
 * answer is a one-line definition (`def f(x):return x+3`), and the row's functional tests check the shown examples
 * plus three hidden inputs, so a lookup table of the examples fails. The systematic error is an off-by-one constant:
 * families with a constant ≥ 5 write it one lower.
 */

import type { Problem, TaskWorld } from './types.ts';
import { defineWorld, int, pick } from './world.ts';

interface IntFamily {
  name: string;
  /** Draws the constant(s) and returns the function, its body for a given constant shift, and whether the bug applies. */
  make(r: () => number): { fn: (x: number) => number; body: (shift: number) => string; buggy: boolean };
  /** The `induce` world's scratchpad: the constant worked out from the shown examples. Default: the family name. */
  work?: (shown: readonly number[], fn: (x: number) => number) => string;
}

/** An operand as the scratchpad writes it: a negative one in parentheses (`7-(-2)=9`). */
const operand = (x: number): string => (x < 0 ? `(${x})` : String(x));
/** The first shown input that is not 0 (a factor or a slope needs x ≠ 0); the first one is the easiest to copy. */
const firstNonZero = (shown: readonly number[]): number => shown.find((x) => x !== 0) as number;

const INT_FAMILIES: IntFamily[] = [
  {
    name: 'add',
    make: (r) => {
      const c = int(r, 1, 9);
      return { fn: (x) => x + c, body: (s) => `x+${c - s}`, buggy: c >= 5 };
    },
    work: (shown, fn) => {
      const x = shown[0] as number;
      return `add ${operand(fn(x))}-${operand(x)}=${fn(x) - x}`;
    },
  },
  {
    name: 'sub',
    make: (r) => {
      const c = int(r, 1, 9);
      return { fn: (x) => x - c, body: (s) => `x-${c - s}`, buggy: c >= 5 };
    },
    work: (shown, fn) => {
      const x = shown[0] as number;
      return `sub ${operand(x)}-${operand(fn(x))}=${x - fn(x)}`;
    },
  },
  {
    name: 'mul',
    make: (r) => {
      const c = int(r, 2, 9);
      return { fn: (x) => x * c, body: (s) => `x*${c - s}`, buggy: c >= 5 };
    },
    work: (shown, fn) => {
      const x = firstNonZero(shown);
      return `mul ${operand(fn(x))}/${operand(x)}=${fn(x) / x}`;
    },
  },
  {
    name: 'affine',
    make: (r) => {
      const a = int(r, 2, 4);
      const b = int(r, 1, 9);
      return { fn: (x) => x * a + b, body: (s) => `x*${a}+${b - s}`, buggy: b >= 5 };
    },
    // The induce world shows 0 first, so b is read off and a is one subtraction and one division away.
    work: (shown, fn) => {
      const x = firstNonZero(shown);
      const b = fn(0);
      const ax = fn(x) - b;
      return `affine ${b} ${operand(fn(x))}-${b}=${ax} ${operand(ax)}/${operand(x)}=${ax / x}`;
    },
  },
  {
    name: 'max',
    make: (r) => {
      const c = int(r, 0, 9);
      return { fn: (x) => Math.max(x, c), body: (s) => `max(x,${c - s})`, buggy: c >= 5 };
    },
    // Its shown inputs start with a negative one, which max(x, c ≥ 0) maps to c.
    work: (shown, fn) => `max ${operand(shown[0] as number)}->${fn(shown[0] as number)}`,
  },
  { name: 'abs', make: () => ({ fn: (x) => Math.abs(x), body: () => 'abs(x)', buggy: false }) },
  { name: 'square', make: () => ({ fn: (x) => x * x, body: () => 'x*x', buggy: false }) },
];

const WORDS = ['ab', 'cat', 'dog', 'sun', 'tree', 'moon', 'red', 'blue', 'star', 'fish', 'hat', 'key'];
const STR_FAMILIES: { name: string; fn: (s: string) => string; body: string }[] = [
  { name: 'reverse', fn: (s) => [...s].reverse().join(''), body: 's[::-1]' },
  { name: 'upper', fn: (s) => s.toUpperCase(), body: 's.upper()' },
  { name: 'double', fn: (s) => s + s, body: 's*2' },
  { name: 'first', fn: (s) => s[0], body: 's[0]' },
];

function distinctInts(r: () => number, n: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const x = int(r, lo, hi);
    if (!out.includes(x)) out.push(x);
  }
  return out;
}

function intProblem(r: () => number, worked: boolean): Problem {
  const fam = pick(r, INT_FAMILIES);
  const { fn, body, buggy } = fam.make(r);
  let shown = distinctInts(r, 3, -5, 12);
  // max(x, c) is only identifiable when the examples straddle c; abs only with a negative input.
  if (fam.name === 'max') shown = [int(r, -5, -1), int(r, 10, 15), int(r, 0, 9)];
  if (fam.name === 'abs' && shown.every((x) => x >= 0)) shown[0] = -int(r, 1, 9);
  if (worked && fam.name === 'affine') shown = [0, ...shown.filter((x) => x !== 0).slice(0, 2)];
  const hidden = [-7, 0, 20].filter((x) => !shown.includes(x));
  const answer = `def f(x):return ${body(0)}`;
  const tests = [...shown, ...hidden].map((x) => `assert f(${x})==${fn(x)}`).join('\n');
  return {
    family: fam.name,
    prompt: `f: ${shown.map((x) => `${x}->${fn(x)}`).join(', ')}`,
    answer,
    think: worked && fam.work ? fam.work(shown, fn) : fam.name,
    ...(buggy ? { bug: { answer: `def f(x):return ${body(1)}`, name: 'off-by-one constant' } } : {}),
    fields: { tests: { functional: `${tests}\n` } },
  };
}

function strProblem(r: () => number): Problem {
  const fam = pick(r, STR_FAMILIES);
  const shown: string[] = [];
  while (shown.length < 2) {
    const w = pick(r, WORDS);
    if (!shown.includes(w)) shown.push(w);
  }
  const hidden = ['xyz', 'q'];
  const tests = [...shown, ...hidden]
    .map((s) => `assert f(${JSON.stringify(s)})==${JSON.stringify(fam.fn(s))}`)
    .join('\n');
  return {
    family: fam.name,
    prompt: `f: ${shown.map((s) => `'${s}'->'${fam.fn(s)}'`).join(', ')}`,
    answer: `def f(s):return ${fam.body}`,
    think: fam.name,
    fields: { tests: { functional: `${tests}\n` } },
  };
}

export const codeWorld: TaskWorld = defineWorld({
  name: 'code',
  kind: 'code',
  description:
    'One-line Python functions from three examples (ints: +c, -c, *c, a*x+b, max(x,c), abs, x*x; strings: reverse, ' +
    'upper, double, first char), tested on the examples plus hidden inputs. Bug: constants ≥ 5 written one lower.',
  problem: (random) => (random() < 0.75 ? intProblem(random, false) : strProblem(random)),
});

/**
 * The code world with the constant worked out in the think content (`f: 2->5, 4->7, 0->3` →
 * `<think>add 5-2=3</think><answer>def f(x):return x+3</answer>`, from the first example), as the arith world
 * works its sums: without it a byte model must subtract, divide or solve for a slope in one shot, and the `code`
 * world's base stays near 0 on those families whatever its size. The bug is the same off-by-one constant, written after a correct scratchpad, so
 * the right and the wrong response part at the answer's digit.
 */
export const induceWorld: TaskWorld = defineWorld({
  name: 'induce',
  kind: 'code',
  description:
    "The code world's functions with the constant worked out in the think content (add 5-2=3; mul 12/4=3; affine " +
    '0 shown: b, then (y-b)/x). Bug: constants ≥ 5 written one lower after a correct scratchpad.',
  problem: (random) => (random() < 0.75 ? intProblem(random, true) : strProblem(random)),
});
