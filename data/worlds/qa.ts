/**
 * Facts of a made-up world, asked OT-style (§3.1): the prompt embeds the candidate answers as plain text
 * (buildQaPrompt) and the model writes the full text of one. Each seed fixes a fact table: 24 countries, each with a
 * capital, a river and a king, all invented names. Facts cannot be inferred, only remembered, so the held-out split
 * shares the fact table with training and differs in the question's candidate set: it measures recall under new
 * distractors, not new knowledge. The systematic error is a plausible distractor: the neighbouring country's value
 * (the next row of the table), which is always among the candidates.
 */
import { buildQaPrompt } from '../../rewards/qa/prompt.ts';
import { hashSeed, mulberry32 } from '../../rl/random.ts';
import type { Problem, TaskWorld } from './types.ts';
import { defineWorld, int, pick } from './world.ts';

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];
const CODAS = ['', '', 'n', 'r', 's', 'l'];

export const COUNTRIES = 24;
const RELATIONS = [
  { key: 'capital', question: (c: string) => `Capital of ${c}?` },
  { key: 'river', question: (c: string) => `River of ${c}?` },
  { key: 'king', question: (c: string) => `King of ${c}?` },
] as const;

export interface FactTable {
  countries: string[];
  /** relation → one value per country, in the order of `countries`. */
  values: Record<(typeof RELATIONS)[number]['key'], string[]>;
}

const tables = new Map<number, FactTable>();

/** The fact table of a seed: every name distinct across the whole table. */
export function factTable(seed: number): FactTable {
  const cached = tables.get(seed);
  if (cached) return cached;
  const r = mulberry32(hashSeed(0x7161, seed));
  const used = new Set<string>();
  const name = (): string => {
    for (;;) {
      const n = `${pick(r, ONSETS)}${pick(r, VOWELS)}${pick(r, ONSETS)}${pick(r, VOWELS)}${pick(r, CODAS)}`;
      const cap = n[0].toUpperCase() + n.slice(1);
      if (!used.has(cap)) {
        used.add(cap);
        return cap;
      }
    }
  };
  const countries = Array.from({ length: COUNTRIES }, name);
  const values = Object.fromEntries(RELATIONS.map((rel) => [rel.key, countries.map(name)])) as FactTable['values'];
  const table = { countries, values };
  tables.set(seed, table);
  return table;
}

function problem(r: () => number, seed: number): Problem {
  const t = factTable(seed);
  const i = int(r, 0, COUNTRIES - 1);
  const rel = pick(r, RELATIONS);
  const values = t.values[rel.key];
  const gold = values[i];
  const neighbour = values[(i + 1) % COUNTRIES];
  const others: string[] = [];
  while (others.length < 2) {
    const v = values[int(r, 0, COUNTRIES - 1)];
    if (v !== gold && v !== neighbour && !others.includes(v)) others.push(v);
  }
  const candidates = [gold, neighbour, ...others];
  const question = rel.question(t.countries[i]);
  // The option order is part of the prompt; keyed on the candidate set so the same set always reads the same way.
  const prompt = buildQaPrompt(question, candidates, `${seed}:${question}:${[...candidates].sort().join(',')}`, {
    instruction: '',
  });
  return {
    family: rel.key,
    prompt,
    answer: gold,
    think: `${t.countries[i]} ${rel.key}`,
    bug: { answer: neighbour, name: 'neighbour distractor' },
    fields: { reference: gold, category: rel.key },
  };
}

export const qaWorld: TaskWorld = defineWorld({
  name: 'qa',
  kind: 'qa',
  description:
    'Made-up facts (24 countries × capital, river, king per seed) asked with four plain-text candidates. Held-out ' +
    "prompts share the facts, not the candidate sets. Bug: answering the neighbouring country's value.",
  problem,
});
