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
}

const INT_FAMILIES: IntFamily[] = [
  {
    name: 'add',
    make: (r) => {
      const c = int(r, 1, 9);
      return { fn: (x) => x + c, body: (s) => `x+${c - s}`, buggy: c >= 5 };
    },
  },
  {
    name: 'sub',
    make: (r) => {
      const c = int(r, 1, 9);
      return { fn: (x) => x - c, body: (s) => `x-${c - s}`, buggy: c >= 5 };
    },
  },
  {
    name: 'mul',
    make: (r) => {
      const c = int(r, 2, 9);
      return { fn: (x) => x * c, body: (s) => `x*${c - s}`, buggy: c >= 5 };
    },
  },
  {
    name: 'affine',
    make: (r) => {
      const a = int(r, 2, 4);
      const b = int(r, 1, 9);
      return { fn: (x) => x * a + b, body: (s) => `x*${a}+${b - s}`, buggy: b >= 5 };
    },
  },
  {
    name: 'max',
    make: (r) => {
      const c = int(r, 0, 9);
      return { fn: (x) => Math.max(x, c), body: (s) => `max(x,${c - s})`, buggy: c >= 5 };
    },
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

function intProblem(r: () => number): Problem {
  const fam = pick(r, INT_FAMILIES);
  const { fn, body, buggy } = fam.make(r);
  let shown = distinctInts(r, 3, -5, 12);
  // max(x, c) is only identifiable when the examples straddle c; abs only with a negative input.
  if (fam.name === 'max') shown = [int(r, -5, -1), int(r, 10, 15), int(r, 0, 9)];
  if (fam.name === 'abs' && shown.every((x) => x >= 0)) shown[0] = -int(r, 1, 9);
  const hidden = [-7, 0, 20].filter((x) => !shown.includes(x));
  const answer = `def f(x):return ${body(0)}`;
  const tests = [...shown, ...hidden].map((x) => `assert f(${x})==${fn(x)}`).join('\n');
  return {
    family: fam.name,
    prompt: `f: ${shown.map((x) => `${x}->${fn(x)}`).join(', ')}`,
    answer,
    think: fam.name,
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
  problem: (random) => (random() < 0.75 ? intProblem(random) : strProblem(random)),
});
