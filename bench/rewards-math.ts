/**
 * `npm run bench -- rewards-math`: math verifications per second on one core (verifyMath is synchronous, so this
 * process's main thread is the one core; the CAS worker is only woken when numeric sampling is inconclusive).
 * Two workloads, reported apart: plain numeric answers inside realistic responses (the fast path; target ≥ 2,000/s)
 * and structured/symbolic answers (expressions, equations, sets, intervals, matrices). Baseline in the same run:
 * the same numeric pairs decided by mathjs `evaluate` on both sides, i.e. what a CAS-for-everything verifier pays at
 * the very least. Rounds are interleaved so load from other processes hits both alike; figures are medians. Every
 * verdict timed is checked against the expected one. Run as `npm run bench -- rewards-math`, it also compares with
 * Math-Verify on the same pairs (bench/math-verify-compare.ts).
 */
import { readFileSync } from 'node:fs';
import { evaluate } from 'mathjs';
import { extractAnswer } from '../rewards/math/extract.ts';
import { verifyMath, warmUpCas } from '../rewards/math/index.ts';
import { textSeededRandom } from '../rl/random.ts';
import { machineInfo } from './machine.ts';
import { benchAgainstMathVerify } from './math-verify-compare.ts';

interface Pair {
  gold: string;
  prediction: string;
  expected: boolean;
}

const THINK = 'Let me compute this step by step. First I set up the equation and simplify both sides; '.repeat(6);

/** 2,000 GSM8K/MATH-style numeric pairs: integers, decimals, fractions; half correct, half off by a little. */
function numericPairs(n: number): Pair[] {
  const random = textSeededRandom('bench-math-numeric');
  const pairs: Pair[] = [];
  for (let k = 0; k < n; k++) {
    const kind = k % 4;
    const a = Math.floor(random() * 2000) - 200;
    const b = 2 + Math.floor(random() * 30);
    const correct = random() < 0.5;
    let gold: string;
    let answer: string;
    if (kind === 0) {
      gold = String(a);
      answer = correct ? String(a) : String(a + 1);
    } else if (kind === 1) {
      gold = (a / 8).toString();
      answer = correct ? (a / 8).toFixed(3) : (a / 8 + 0.5).toString();
    } else if (kind === 2) {
      gold = `\\frac{${a}}{${b}}`;
      answer = correct ? `\\frac{${2 * a}}{${2 * b}}` : `\\frac{${a + 1}}{${b}}`;
    } else {
      gold = `${a}/${b}`;
      answer = correct ? `${a}/${b}` : `${a}/${b + 1}`;
    }
    pairs.push({
      gold,
      prediction: `<think>${THINK}</think> <answer>The answer is $\\boxed{${answer}}$.</answer>`,
      expected: correct,
    });
  }
  return pairs;
}

/** The corpus's non-numeric categories, cycled to `n` pairs, inside the same response template. */
function structuredPairs(n: number): Pair[] {
  const categories = new Set([
    'expression',
    'equation',
    'set',
    'tuple',
    'interval',
    'union',
    'matrix',
    'multiple',
    'plus-minus',
  ]);
  const rows = readFileSync(new URL('../test/fixtures/math/cases.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { gold: string; prediction: string; category: string; expected: boolean })
    .filter((r) => categories.has(r.category));
  return Array.from({ length: n }, (_, k) => {
    const r = rows[k % rows.length];
    return {
      gold: r.gold,
      prediction: `<think>${THINK}</think> <answer>$\\boxed{${r.prediction}}$</answer>`,
      expected: r.expected,
    };
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

/** mathjs evaluation of both sides (LaTeX fractions rewritten for it): the baseline. */
function mathjsBaseline(pair: Pair): boolean {
  const toMathjs = (s: string) => s.replace(/\\frac\{([^}]*)\}\{([^}]*)\}/g, '($1)/($2)');
  try {
    const a = evaluate(toMathjs(extractAnswer(pair.gold) ?? ''));
    const b = evaluate(toMathjs(extractAnswer(pair.prediction) ?? ''));
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  } catch {
    return false;
  }
}

/** Throws when any verdict of ours differs from the pair's expected one (a fast wrong verifier is no result). */
function checkVerdicts(pairs: Pair[], what: string): void {
  const wrong = pairs.filter((p) => verifyMath(p.gold, p.prediction).equivalent !== p.expected);
  if (wrong.length > 0) {
    const list = wrong.slice(0, 10).map((p) => `${JSON.stringify(p.gold)} vs ${JSON.stringify(p.prediction)}`);
    throw new Error(`${what}: ${wrong.length} verdicts differ from the expected ones, e.g.\n${list.join('\n')}`);
  }
}

export async function benchMath(): Promise<object> {
  const rounds = 5;
  const numeric = numericPairs(2000);
  const structured = structuredPairs(1000);
  warmUpCas();
  checkVerdicts(numeric, 'numeric pairs');
  checkVerdicts(structured, 'structured pairs');
  // JIT warm-up, not measured
  for (const p of numeric.slice(0, 200)) verifyMath(p.gold, p.prediction);
  for (const p of structured.slice(0, 100)) verifyMath(p.gold, p.prediction);

  const fastRates: number[] = [];
  const baselineRates: number[] = [];
  const structuredRates: number[] = [];
  const paths: Record<string, number> = {};
  const structuredPaths: Record<string, number> = {};
  const numericMs: number[] = [];
  const structuredMs: number[] = [];
  let numericEquivalent = 0;
  for (let round = 0; round < rounds; round++) {
    let t = performance.now();
    for (const p of numeric) {
      const v = verifyMath(p.gold, p.prediction);
      if (round === 0) {
        paths[v.path] = (paths[v.path] ?? 0) + 1;
        numericMs.push(v.ms);
        if (v.equivalent) numericEquivalent++;
      }
    }
    fastRates.push(numeric.length / ((performance.now() - t) / 1000));

    t = performance.now();
    for (const p of numeric) mathjsBaseline(p);
    baselineRates.push(numeric.length / ((performance.now() - t) / 1000));

    t = performance.now();
    for (const p of structured) {
      const v = verifyMath(p.gold, p.prediction);
      if (round === 0) {
        structuredPaths[v.path] = (structuredPaths[v.path] ?? 0) + 1;
        structuredMs.push(v.ms);
      }
    }
    structuredRates.push(structured.length / ((performance.now() - t) / 1000));
  }
  const fast = median(fastRates);
  const baseline = median(baselineRates);
  return {
    area: 'rewards-math',
    machine: machineInfo(),
    rounds,
    numeric: {
      pairs: numeric.length,
      mathVerifyPerSec: Math.round(fast),
      baselineMathjsEvaluatePerSec: Math.round(baseline),
      speedupOverBaseline: Math.round((fast / baseline) * 100) / 100,
      paths,
      equivalentFraction: numericEquivalent / numeric.length,
      p50Ms: Math.round(percentile(numericMs, 0.5) * 1000) / 1000,
      p99Ms: Math.round(percentile(numericMs, 0.99) * 1000) / 1000,
    },
    structured: {
      pairs: structured.length,
      mathVerifyPerSec: Math.round(median(structuredRates)),
      paths: structuredPaths,
      p50Ms: Math.round(percentile(structuredMs, 0.5) * 1000) / 1000,
      p99Ms: Math.round(percentile(structuredMs, 0.99) * 1000) / 1000,
      maxMs: Math.round(Math.max(...structuredMs) * 1000) / 1000,
    },
    verdictsChecked: numeric.length + structured.length,
    mathVerifyPerSec: Math.round(fast),
  };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[2] === 'rewards-math') {
  const ours = await benchMath();
  console.log(JSON.stringify({ ...ours, againstMathVerify: await benchAgainstMathVerify() }, null, 2));
}
