/**
 * Graded arithmetic with a worked scratchpad, for a byte-level model too small to add two-digit numbers in one shot
 * (the `math` world's base stays near chance): a two-digit answer is worked column by column in the think content, so
 * what the model must know is the one-digit facts and where to copy, and what GRPO can fix is a rule, not a fact.
 * Tiers, drawn uniformly: `add1` (one-digit sums, no systematic error: the easy tier), `word` (a one-step story with
 * a one-digit change), `add2` and `sub2` (two-digit column arithmetic). The carry and the borrow are a last step on
 * the tens (`5+7=12 8+4=12 +1=13` → 132 for 85+47; `12-7=5 5-1=4 -1=3` → 35 for 52-17), so the systematic errors —
 * the dropped carry (122), the dropped borrow (45) — are the same scratchpad stopped one step early: the correct and
 * the wrong response share their prefix and part at one decision. Adding when the story takes away is the third.
 * (A variant that always writes the last step, `+0`/`+1`, with the dropped carry as `+0`, made the carry the
 * base's majority error and ended the curriculum below its base: docs/RESULTS.md.)
 * The answer is the scratchpad's last number followed by the units digit of its first.
 */

import { storyProblem } from './story.ts';
import type { Problem, TaskWorld } from './types.ts';
import { defineWorld, int, pick } from './world.ts';

/** The tens result followed by the units digit: 13 and 2 → "132", 0 and 8 → "8". */
const join = (tens: number, units: number): string => String(tens * 10 + units);

function add1(r: () => number): Problem {
  const a = int(r, 1, 9);
  const b = int(r, 1, 9);
  return {
    family: 'add1',
    prompt: `${a}+${b}=`,
    answer: String(a + b),
    think: `${a}+${b}=${a + b}`,
    fields: { reference: String(a + b) },
  };
}

function add2(r: () => number): Problem {
  const a = int(r, 10, 99);
  const b = int(r, 10, 99);
  const [a1, a0, b1, b0] = [Math.floor(a / 10), a % 10, Math.floor(b / 10), b % 10];
  const units = a0 + b0;
  const columns = `${a0}+${b0}=${units} ${a1}+${b1}=${a1 + b1}`;
  const answer = String(a + b);
  if (units < 10)
    return { family: 'add2', prompt: `${a}+${b}=`, answer, think: columns, fields: { reference: answer } };
  return {
    family: 'add2',
    prompt: `${a}+${b}=`,
    answer,
    think: `${columns} +1=${a1 + b1 + 1}`,
    bug: { answer: join(a1 + b1, units - 10), think: columns, name: 'dropped carry' },
    fields: { reference: answer },
  };
}

function sub2(r: () => number): Problem {
  const a = int(r, 20, 99);
  const b = int(r, 10, a - 1);
  const [a1, a0, b1, b0] = [Math.floor(a / 10), a % 10, Math.floor(b / 10), b % 10];
  const answer = String(a - b);
  const borrow = a0 < b0;
  const top = borrow ? 10 + a0 : a0;
  const columns = `${top}-${b0}=${top - b0} ${a1}-${b1}=${a1 - b1}`;
  if (!borrow) return { family: 'sub2', prompt: `${a}-${b}=`, answer, think: columns, fields: { reference: answer } };
  return {
    family: 'sub2',
    prompt: `${a}-${b}=`,
    answer,
    think: `${columns} -1=${a1 - b1 - 1}`,
    bug: { answer: join(a1 - b1, top - b0), think: columns, name: 'dropped borrow' },
    fields: { reference: answer },
  };
}

function word(r: () => number): Problem {
  return storyProblem(r, { maxChange: 9, think: (a, op, b) => `${a}${op}${b}=${op === '+' ? a + b : a - b}` });
}

const FAMILIES = [add1, word, add2, sub2];

export const arithWorld: TaskWorld = defineWorld({
  name: 'arith',
  kind: 'math',
  description:
    'Graded arithmetic with a digit-by-digit scratchpad: add1 (1–9 + 1–9, the easy tier), word (2–20 ± 1–9 story), ' +
    'add2 (10–99 + 10–99, column sums, the carry a last +1 on the tens), sub2 (20–99 − 10–99, non-negative, the ' +
    'borrow a last −1). Bugs: dropped carry, dropped borrow (the scratchpad stopped a step early), adding a loss.',
  problem: (random) => pick(random, FAMILIES)(random),
});
