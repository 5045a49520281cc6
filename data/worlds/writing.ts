/**
 * Very short writing with rule-checked constraints (Qwen3 §4.4's rule-based rewards; rewards/writing records): "Write
 * 3 words about rain. Include 'cold'." The row carries the constraints (always an exact word count plus one more) and
 * a gold reply as `reference` (for a pairwise judge). The systematic error is a missed constraint: the required word
 * left out, the forbidden word used, the start or end word misplaced, a capital letter in a lower-case reply.
 */
import type { WritingConstraint } from '../../rewards/writing/constraints.ts';
import type { Problem, TaskWorld } from './types.ts';
import { defineWorld, int, pick } from './world.ts';

const TOPICS: Record<string, string[]> = {
  cats: ['soft', 'purr', 'nap', 'paws', 'fur', 'tail', 'milk', 'sly', 'warm', 'mew'],
  rain: ['wet', 'cold', 'drops', 'grey', 'pour', 'mud', 'cloud', 'drip', 'damp', 'storm'],
  sun: ['hot', 'gold', 'light', 'noon', 'glow', 'sky', 'rays', 'dawn', 'warm', 'shine'],
  sea: ['waves', 'salt', 'blue', 'tide', 'foam', 'ship', 'deep', 'shore', 'fish', 'wind'],
  tea: ['cup', 'leaf', 'steam', 'sip', 'hot', 'mint', 'pot', 'calm', 'brew', 'green'],
  snow: ['white', 'cold', 'flake', 'ice', 'soft', 'quiet', 'frost', 'drift', 'sled', 'still'],
  dogs: ['bark', 'wag', 'loyal', 'run', 'bone', 'fetch', 'paws', 'happy', 'walk', 'fur'],
  books: ['page', 'ink', 'story', 'read', 'word', 'tale', 'spine', 'shelf', 'quiet', 'old'],
  trees: ['leaf', 'bark', 'root', 'green', 'tall', 'shade', 'bough', 'moss', 'wood', 'seed'],
  night: ['dark', 'moon', 'stars', 'owl', 'quiet', 'sleep', 'dream', 'black', 'still', 'cool'],
  bread: ['crust', 'warm', 'oven', 'soft', 'flour', 'bake', 'loaf', 'crumb', 'yeast', 'fresh'],
  moon: ['pale', 'night', 'glow', 'tide', 'full', 'gleam', 'white', 'orbit', 'dim', 'round'],
  wind: ['gust', 'blow', 'howl', 'cold', 'sway', 'kite', 'storm', 'sails', 'whirl', 'air'],
  fire: ['flame', 'heat', 'smoke', 'spark', 'ash', 'glow', 'logs', 'warm', 'red', 'crack'],
  bees: ['honey', 'hive', 'buzz', 'wax', 'queen', 'sting', 'bloom', 'swarm', 'comb', 'busy'],
  roses: ['red', 'thorn', 'petal', 'bloom', 'scent', 'stem', 'pink', 'bud', 'vase', 'love'],
  city: ['cars', 'noise', 'signs', 'tower', 'crowd', 'roads', 'bus', 'busy', 'shops', 'park'],
  farm: ['cows', 'barn', 'hay', 'field', 'pigs', 'corn', 'mud', 'hens', 'crops', 'fence'],
  trains: ['track', 'steam', 'horn', 'rails', 'fast', 'coach', 'depot', 'smoke', 'wheel', 'ride'],
  birds: ['wing', 'song', 'nest', 'fly', 'egg', 'sky', 'perch', 'tweet', 'beak', 'flock'],
};
const TOPIC_NAMES = Object.keys(TOPICS);

function words(r: () => number, bank: readonly string[], n: number, avoid: readonly string[] = []): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const w = pick(r, bank);
    if (!out.includes(w) && !avoid.includes(w)) out.push(w);
  }
  return out;
}

function problem(r: () => number): Problem {
  const topic = pick(r, TOPIC_NAMES);
  const bank = TOPICS[topic];
  const n = int(r, 2, 4);
  const w = pick(r, bank);
  const count: WritingConstraint = { type: 'word-count', min: n, max: n };
  const kind = pick(r, ['include', 'exclude', 'start', 'end', 'lower'] as const);
  let prompt: string;
  let extra: WritingConstraint;
  let gold: string[];
  let bug: string[];
  switch (kind) {
    case 'include': {
      prompt = `Write ${n} words about ${topic}. Include '${w}'.`;
      extra = { type: 'include-words', words: [w] };
      const rest = words(r, bank, n - 1, [w]);
      gold = [...rest, w];
      bug = [...rest, words(r, bank, 1, [w, ...rest])[0]];
      break;
    }
    case 'exclude': {
      prompt = `Write ${n} words about ${topic}, without '${w}'.`;
      extra = { type: 'exclude-words', words: [w] };
      gold = words(r, bank, n, [w]);
      bug = [...gold.slice(0, -1), w];
      break;
    }
    case 'start': {
      prompt = `Write ${n} words about ${topic}, starting with '${w}'.`;
      extra = { type: 'starts-with', text: w };
      const rest = words(r, bank, n - 1, [w]);
      gold = [w, ...rest];
      bug = [...rest, w];
      break;
    }
    case 'end': {
      prompt = `Write ${n} words about ${topic}, ending with '${w}'.`;
      extra = { type: 'ends-with', text: w };
      const rest = words(r, bank, n - 1, [w]);
      gold = [...rest, w];
      bug = [w, ...rest];
      break;
    }
    case 'lower': {
      prompt = `Write ${n} lowercase words about ${topic}.`;
      extra = { type: 'case', case: 'lower' };
      gold = words(r, bank, n);
      bug = [gold[0][0].toUpperCase() + gold[0].slice(1), ...gold.slice(1)];
      break;
    }
  }
  const answer = gold.join(' ');
  return {
    family: kind,
    prompt,
    answer,
    think: `${n} words, ${kind}`,
    bug: { answer: bug.join(' '), name: 'missed constraint' },
    fields: { reference: answer, constraints: [count, extra], category: kind },
  };
}

export const writingWorld: TaskWorld = defineWorld({
  name: 'writing',
  kind: 'writing',
  description:
    'Two to four words about one of 20 topics with an exact word count plus one constraint (include, exclude, start ' +
    'with, end with, lower case). Bug: the second constraint missed.',
  problem,
});
