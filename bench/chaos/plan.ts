/**
 * The chaos drill's fault plan, drawn from one seed: which faults hit which run, after which step, how far into the
 * next one, and how long an outage lasts. The kinds are dealt from a shuffled deck so every kind comes up about as
 * often as the others however few runs there are (3 runs × 3 faults already hold all 7 kinds).
 */
import { hashSeed, mulberry32 } from '../../rl/random.ts';

export const FAULT_KINDS = [
  'kill-main',
  'kill-gpu',
  'kill-cpu',
  'kill-io',
  'kill-server',
  's3-outage',
  'judge-hang',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  kind: FaultKind;
  /** The fault waits for this step's metrics, then for `delayFraction` of the next step, then strikes. */
  afterStep: number;
  /**
   * How far into the next step the fault lands, as a fraction of that step in the undisturbed run: in [0, 0.8], and
   * for a judge hang in [0, 0.4] (before the step's rollout ends and its scoring asks the judge).
   */
  delayFraction: number;
  /** How long the S3 server stays down or the judge hangs, ms (0 for kills: the victim is restarted at once). */
  outageMs: number;
}

export interface PlanOptions {
  runs: number;
  seed: number;
  faultsPerRun: number;
  /** Steps of one run; faults strike after steps 0..totalSteps-2, so each lands inside a step that follows. */
  totalSteps: number;
  /** The steps scored by the judge: a judge hang is armed just before one of them, where it can matter. */
  judgedSteps: { first: number; last: number };
}

/** S3 outages last 5-30 s, judge hangs 5-20 s (inside the judge's retry budget, so no score is lost). */
export const OUTAGE_RANGE_MS: Partial<Record<FaultKind, [number, number]>> = {
  's3-outage': [5_000, 30_000],
  'judge-hang': [5_000, 20_000],
};

export function chaosPlan(o: PlanOptions): PlannedFault[][] {
  const slots = o.totalSteps - 1;
  if (o.faultsPerRun < 1 || o.faultsPerRun > slots)
    throw new Error(`faultsPerRun must be in 1..${slots} (one per step boundary), got ${o.faultsPerRun}`);
  if (o.judgedSteps.first < 1 || o.judgedSteps.last >= o.totalSteps)
    throw new Error(`judged steps ${o.judgedSteps.first}..${o.judgedSteps.last} outside 1..${o.totalSteps - 1}`);
  const rand = mulberry32(hashSeed(o.seed, 0xc4a05));
  const deck = dealKinds(o.runs * o.faultsPerRun, rand);
  return Array.from({ length: o.runs }, (_, r) => {
    const kinds = deck.slice(r * o.faultsPerRun, (r + 1) * o.faultsPerRun);
    return placeFaults(kinds, o, rand);
  });
}

/** `n` kinds: whole shuffled copies of FAULT_KINDS, then a shuffled part of one more. */
function dealKinds(n: number, rand: () => number): FaultKind[] {
  const out: FaultKind[] = [];
  while (out.length < n) out.push(...shuffle([...FAULT_KINDS], rand));
  return out.slice(0, n);
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** One run's faults at distinct step boundaries, in step order; a judge hang takes a boundary before a judged step. */
function placeFaults(kinds: FaultKind[], o: PlanOptions, rand: () => number): PlannedFault[] {
  const free = new Set(Array.from({ length: o.totalSteps - 1 }, (_, i) => i));
  const take = (candidates: number[]) => {
    const open = candidates.filter((s) => free.has(s));
    const s = open[Math.floor(rand() * open.length)];
    free.delete(s);
    return s;
  };
  // A hang armed late in the last judged step may find no judge request left: arm it before a judged step that has
  // another judged step after it (or before the only one).
  const firstBoundary = o.judgedSteps.first - 1;
  const lastBoundary = Math.max(firstBoundary, o.judgedSteps.last - 2);
  const judgeBoundaries = Array.from({ length: lastBoundary - firstBoundary + 1 }, (_, i) => firstBoundary + i);
  // Judge hangs first: they have the fewest boundaries to choose from. Two in one run may exhaust them; the second
  // then takes any boundary left (it strikes outside the judged steps and is reported as such).
  const order = [...kinds].sort((a, b) => Number(b === 'judge-hang') - Number(a === 'judge-hang'));
  const placed = order.map((kind) => {
    const wanted = kind === 'judge-hang' ? judgeBoundaries : [...free];
    const afterStep = take(wanted.some((s) => free.has(s)) ? wanted : [...free]);
    const range = OUTAGE_RANGE_MS[kind];
    const outageMs = range ? Math.round(range[0] + rand() * (range[1] - range[0])) : 0;
    const latest = kind === 'judge-hang' ? 0.4 : 0.8;
    return { kind, afterStep, delayFraction: Math.round(rand() * latest * 1000) / 1000, outageMs };
  });
  return placed.sort((a, b) => a.afterStep - b.afterStep);
}
