/**
 * The one-step story problem both arithmetic worlds share (`Bo has 12 pens, loses 5. How many now?`), with adding a
 * loss as its systematic error. The worlds differ in the size of the change and in how the scratchpad is written.
 */
import type { Problem } from './types.ts';
import { int, pick } from './world.ts';

const NAMES = ['Ann', 'Bo', 'Cy', 'Dee', 'Eli', 'Fay', 'Gus', 'Ivy', 'Jo', 'Kim', 'Lu', 'Max'];
const ITEMS = ['apples', 'pens', 'cards', 'eggs', 'coins', 'books', 'hats', 'cups'];
const GAINS = ['gets', 'finds', 'buys'];
const LOSSES = ['loses', 'gives away', 'eats'];

/**
 * A start of 2–20 and a change of 1–`maxChange` (a loss never below zero); `think(a, op, b)` writes the scratchpad.
 * The draws are in a fixed order, so a world's corpus does not change with this helper.
 */
export function storyProblem(
  r: () => number,
  o: { maxChange: number; think: (a: number, op: '+' | '-', b: number) => string }
): Problem {
  const who = pick(r, NAMES);
  const item = pick(r, ITEMS);
  const gain = r() < 0.5;
  const a = int(r, 2, 20);
  const b = gain ? int(r, 1, o.maxChange) : int(r, 1, Math.min(o.maxChange, a));
  const verb = pick(r, gain ? GAINS : LOSSES);
  const answer = String(gain ? a + b : a - b);
  return {
    family: gain ? 'word-gain' : 'word-loss',
    prompt: `${who} has ${a} ${item}, ${verb} ${b}. How many now?`,
    answer,
    think: o.think(a, gain ? '+' : '-', b),
    ...(gain ? {} : { bug: { answer: String(a + b), think: o.think(a, '+', b), name: 'added a loss' } }),
    fields: { reference: answer },
  };
}
