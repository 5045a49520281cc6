/**
 * `npm run bench -- rl`: the cost of the rl/ reference formulas on GZ-sized inputs, each against a hand-inlined
 * baseline doing the same arithmetic in the same run (so the ratio is the price of validation and generality).
 * Question answered: can the engine, scorer and workflows call rl/ on the hot path, or only in tests?
 */
import { batchAdvantages, type GroupedSample } from '../rl/advantages.ts';
import { aggregateLoss } from '../rl/aggregation.ts';
import { KL_ESTIMATORS } from '../rl/kl.ts';
import { ppoClip, ppoClipTerm } from '../rl/policy-loss.ts';
import { seededRandom } from '../rl/random.ts';
import { parseResponse } from '../rl/template.ts';
import { machineInfo } from './machine.ts';

const ROUNDS = Number(process.argv[3] ?? 5);

/** Median over rounds of the time per item, ns; each sample runs `fn` until ≥ 100 ms have passed. */
function timeNs(fn: () => number, items: number): number {
  let sink = 0;
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < 100_000_000n) {
    sink += fn();
    runs++;
    elapsed = process.hrtime.bigint() - start;
  }
  if (Number.isNaN(sink)) console.error('unreachable: keeps the result alive');
  return Number(elapsed) / (runs * items);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Inputs: 128 prompts × 16 responses (GZ), 256 tokens each for the per-token cases (~0.5 M tokens).
const G = 16;
const PROMPTS = 128;
const TOKENS = 256;
let state = 1;
const rand = (): number => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
};
const ratios = Array.from({ length: PROMPTS * G }, () => Array.from({ length: TOKENS }, () => 0.7 + 0.6 * rand()));
const advantages = Array.from({ length: PROMPTS * G }, () => rand() * 2 - 1);
const losses = ratios.map((row) => row.map((r) => r - 1));
const flat = Float64Array.from(losses.flat());
const samples: GroupedSample[] = advantages.map((a, i) => ({
  task: i % 2 ? 'math' : 'writing',
  prompt: Math.floor(i / G),
  reward: Math.round(a),
}));
const longResponse = `<think>${'Let me reason about this step. '.repeat(3300)}</think>\n<answer>${'The answer is 42. '.repeat(300)}</answer>`;
const tokenCount = PROMPTS * G * TOKENS;
const opts = { epsilonLow: 0.2, epsilonHigh: 0.28, dualClip: 3 };

/** The PPO-clip loss of every token written inline, with the options of `opts`: what rl/'s per-call checks cost. */
function inlinePpoClip(): number {
  let s = 0;
  for (let i = 0; i < ratios.length; i++) {
    const a = advantages[i];
    for (const r of ratios[i]) {
      const c = Math.min(1.28, Math.max(0.8, r));
      let l = Math.max(-a * r, -a * c);
      if (a < 0) l = Math.min(l, -a * 3);
      s += l;
    }
  }
  return s;
}

const cases: Record<string, { rl: () => number; baseline: () => number; items: number; unit: string }> = {
  'ppoClipTerm per token': {
    items: tokenCount,
    unit: 'token',
    rl: () => {
      let s = 0;
      for (let i = 0; i < ratios.length; i++) for (const r of ratios[i]) s += ppoClipTerm(r, advantages[i], opts).loss;
      return s;
    },
    baseline: inlinePpoClip,
  },
  'ppoClip (options checked once) per token': {
    items: tokenCount,
    unit: 'token',
    rl: () => {
      const term = ppoClip(opts);
      let s = 0;
      for (let i = 0; i < ratios.length; i++) for (const r of ratios[i]) s += term(r, advantages[i]).loss;
      return s;
    },
    baseline: inlinePpoClip,
  },
  'k3 per token': {
    items: tokenCount,
    unit: 'token',
    rl: () => {
      let s = 0;
      for (const row of losses) for (const x of row) s += KL_ESTIMATORS.k3(x, 0);
      return s;
    },
    baseline: () => {
      let s = 0;
      for (const row of losses) for (const x of row) s += Math.exp(-x) + x - 1;
      return s;
    },
  },
  'aggregateLoss token-mean': {
    items: tokenCount,
    unit: 'token',
    rl: () => aggregateLoss('token-mean', losses),
    baseline: () => {
      let s = 0;
      for (let i = 0; i < flat.length; i++) s += flat[i];
      return s / flat.length;
    },
  },
  'batchAdvantages 128×16': {
    items: samples.length,
    unit: 'sample',
    rl: () => batchAdvantages(samples).advantages[0],
    baseline: () => {
      const out = new Float64Array(samples.length);
      for (let p = 0; p < PROMPTS; p++) {
        let m = 0;
        for (let j = 0; j < G; j++) m += samples[p * G + j].reward;
        m /= G;
        let ss = 0;
        for (let j = 0; j < G; j++) ss += (samples[p * G + j].reward - m) ** 2;
        const sd = Math.sqrt(ss / (G - 1));
        for (let j = 0; j < G; j++) out[p * G + j] = (samples[p * G + j].reward - m) / (sd + 1e-6);
      }
      return out[0];
    },
  },
  'parseResponse ~110 KB': {
    items: 1,
    unit: 'response',
    rl: () => (parseResponse(longResponse).answer ?? '').length,
    baseline: () => {
      const a = longResponse.indexOf('<answer>');
      return longResponse.slice(a + 8, longResponse.indexOf('</answer>')).length;
    },
  },
  seededRandom: {
    items: 100_000,
    unit: 'draw',
    rl: () => {
      let s = 0;
      for (let i = 0; i < 100_000; i++) s += seededRandom(7, 12, i);
      return s;
    },
    baseline: () => {
      let s = 0;
      for (let i = 0; i < 100_000; i++) s += Math.random();
      return s;
    },
  },
};

const results: Record<string, { rlNs: number; baselineNs: number; ratio: number; unit: string }> = {};
const samplesRl: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const samplesBase: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
// Rounds interleave every case and its baseline, so load from other jobs hits both sides of a ratio alike.
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, c] of Object.entries(cases)) {
    samplesRl[name].push(timeNs(c.rl, c.items));
    samplesBase[name].push(timeNs(c.baseline, c.items));
  }
}
for (const [name, c] of Object.entries(cases)) {
  const rlNs = median(samplesRl[name]);
  const baselineNs = median(samplesBase[name]);
  results[name] = {
    rlNs: Number(rlNs.toPrecision(3)),
    baselineNs: Number(baselineNs.toPrecision(3)),
    ratio: Number((rlNs / baselineNs).toFixed(2)),
    unit: c.unit,
  };
}
process.stdout.write(
  `${JSON.stringify({ area: 'rl', machine: machineInfo(), rounds: ROUNDS, tokensPerStep: tokenCount, results })}\n`
);
