/**
 * Arithmetic for a byte-level model: two-digit addition and subtraction, times tables, fractions and one-step word
 * problems, each with an exact plain-number (or a/b) reference that verifyMath decides. Systematic errors, one per
 * family, are the classic ones of school arithmetic: the dropped carry, smaller-from-larger subtraction, a row slip in
 * the times table, adding numerators and denominators, and adding when the story takes away.
 */

import { storyProblem } from './story.ts';
import type { Problem, TaskWorld } from './types.ts';
import { defineWorld, int, pick } from './world.ts';

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));
const frac = (n: number, d: number): string => {
  const g = gcd(n, d);
  return d / g === 1 ? String(n / g) : `${n / g}/${d / g}`;
};

function add(r: () => number): Problem {
  const a = int(r, 10, 99);
  const b = int(r, 1, 99);
  const carry = (a % 10) + (b % 10) >= 10;
  return {
    family: 'add',
    prompt: `${a}+${b}=`,
    answer: String(a + b),
    think: carry ? 'carry 1' : 'no carry',
    ...(carry ? { bug: { answer: String(a + b - 10), think: 'no carry', name: 'dropped carry' } } : {}),
    fields: { reference: String(a + b) },
  };
}

function sub(r: () => number): Problem {
  const a = int(r, 10, 99);
  const b = int(r, 1, a);
  const borrow = a % 10 < b % 10;
  const buggy = (Math.floor(a / 10) - Math.floor(b / 10)) * 10 + Math.abs((a % 10) - (b % 10));
  return {
    family: 'sub',
    prompt: `${a}-${b}=`,
    answer: String(a - b),
    think: borrow ? 'borrow 1' : 'no borrow',
    ...(borrow ? { bug: { answer: String(buggy), think: 'no borrow', name: 'smaller from larger' } } : {}),
    fields: { reference: String(a - b) },
  };
}

function mul(r: () => number): Problem {
  const a = int(r, 2, 12);
  const b = int(r, 2, 12);
  return {
    family: 'mul',
    prompt: `${a}*${b}=`,
    answer: String(a * b),
    think: `${a} times ${b}`,
    ...(b >= 7 ? { bug: { answer: String(a * (b - 1)), think: `${a} times ${b - 1}`, name: 'row slip' } } : {}),
    fields: { reference: String(a * b) },
  };
}

function fraction(r: () => number): Problem {
  const b = int(r, 2, 9);
  const d = int(r, 2, 9);
  const a = int(r, 1, b - 1);
  const c = int(r, 1, d - 1);
  const answer = frac(a * d + c * b, b * d);
  return {
    family: 'fraction',
    prompt: `${a}/${b}+${c}/${d}=`,
    answer,
    think: `over ${(b * d) / gcd(b, d)}`,
    ...(b !== d
      ? { bug: { answer: `${a + c}/${b + d}`, think: 'add tops and bottoms', name: 'added denominators' } }
      : {}),
    fields: { reference: answer },
  };
}

function word(r: () => number): Problem {
  return storyProblem(r, { maxChange: 20, think: (a, op, b) => `${a} ${op === '+' ? 'plus' : 'minus'} ${b}` });
}

const FAMILIES = [add, sub, mul, fraction, word];

export const mathWorld: TaskWorld = defineWorld({
  name: 'math',
  kind: 'math',
  description:
    'add (10–99 + 1–99), sub (non-negative), mul (2–12 tables), fraction (a/b+c/d, reduced), one-step word problems. ' +
    'Bugs: dropped carry, smaller-from-larger digits, a*(b-1) for b ≥ 7, (a+c)/(b+d), adding a loss.',
  problem: (random) => pick(random, FAMILIES)(random),
});
