/**
 * The expanding response window (GZ §4.1 after OctoThinker: 2,048 → 24,576 tokens). The paper gives no schedule,
 * so two shapes are offered (SPEC §5): a step-wise list and a linear ramp. Steps count from 0 within whatever
 * span the caller uses (a stage's own steps when each stage has its own schedule).
 */
import type { WindowSchedule as ConfigWindow } from '../schemas/experiment/window.ts';
import { RlInputError, requireNonNegativeInteger } from './errors.ts';

/** From `fromStep` on (until the next entry), responses are cut at `maxTokens` tokens. */
export interface WindowStep {
  /** First step this window applies to; the first entry must be 0, later ones strictly increasing. */
  fromStep: number;
  /** Maximum response length, tokens (> 0, never smaller than the previous entry's). */
  maxTokens: number;
}

export interface LinearWindow {
  /** Window up to and including `startStep`, tokens. */
  from: number;
  /** Window from `endStep` on, tokens (≥ `from`). */
  to: number;
  /** Last step at `from`. */
  startStep: number;
  /** First step at `to` (> `startStep`). */
  endStep: number;
  /** The ramp's values are rounded down to a multiple of this (e.g. 256 for kernel-friendly shapes). Default 1. */
  multipleOf?: number;
}

/**
 * The experiment config's `window` as it is (`{ type: 'steps', steps: […] }` or `{ type: 'linear', from, to,
 * startStep, endStep }`), or either shape bare: a step list `[{ fromStep: 0, maxTokens: 2048 }, …]` or a ramp,
 * which may also round to `multipleOf`.
 */
export type WindowSchedule = ConfigWindow | readonly WindowStep[] | (LinearWindow & { readonly type?: 'linear' });

type Normalised = { steps: readonly WindowStep[]; prefix: string } | { linear: LinearWindow };

function normalise(schedule: WindowSchedule): Normalised {
  if (Array.isArray(schedule)) return { steps: schedule as readonly WindowStep[], prefix: '' };
  const tagged = schedule as { type?: unknown; steps?: unknown };
  if (tagged?.type === 'steps') {
    return { steps: Array.isArray(tagged.steps) ? (tagged.steps as WindowStep[]) : [], prefix: 'steps' };
  }
  return { linear: schedule as LinearWindow };
}

export interface ScheduleProblem {
  /** Where, e.g. `[1].fromStep` or `endStep`. */
  path: string;
  message: string;
}

const isWhole = (x: unknown, min: number): x is number => Number.isSafeInteger(x) && (x as number) >= min;

/** Every problem with a schedule, empty when it is valid (for config validation and `windowAt`). */
export function windowScheduleProblems(schedule: WindowSchedule): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const add = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  const n = normalise(schedule);
  if ('steps' in n) {
    const { steps, prefix } = n;
    const addAt = (path: string, message: string): void => {
      problems.push({ path: prefix + path, message });
    };
    if (steps.length === 0) addAt('', 'a step-wise window schedule needs at least one entry');
    steps.forEach((s, i) => {
      if (!isWhole(s?.fromStep, 0)) addAt(`[${i}].fromStep`, `must be a whole number >= 0, got ${String(s?.fromStep)}`);
      if (!isWhole(s?.maxTokens, 1))
        addAt(`[${i}].maxTokens`, `must be a whole number > 0, got ${String(s?.maxTokens)}`);
      if (i === 0 && s?.fromStep !== 0 && isWhole(s?.fromStep, 0)) {
        addAt('[0].fromStep', `must be 0 so every step has a window, got ${s.fromStep}`);
      }
      if (i > 0) {
        const prev = steps[i - 1];
        if (isWhole(s?.fromStep, 0) && isWhole(prev?.fromStep, 0) && s.fromStep <= prev.fromStep) {
          addAt(`[${i}].fromStep`, `must be greater than the previous entry's ${prev.fromStep}, got ${s.fromStep}`);
        }
        if (isWhole(s?.maxTokens, 1) && isWhole(prev?.maxTokens, 1) && s.maxTokens < prev.maxTokens) {
          addAt(`[${i}].maxTokens`, `the window only grows (SPEC §5): ${s.maxTokens} < previous ${prev.maxTokens}`);
        }
      }
    });
    return problems;
  }
  const r = n.linear;
  if (r === null || typeof r !== 'object') return [{ path: '', message: 'must be a list of steps or a linear ramp' }];
  if ((r as { type?: unknown }).type !== undefined && (r as { type?: unknown }).type !== 'linear') {
    return [{ path: 'type', message: `must be 'steps' or 'linear', got '${String((r as { type?: unknown }).type)}'` }];
  }
  if (!isWhole(r.from, 1)) add('from', `must be a whole number of tokens > 0, got ${String(r.from)}`);
  if (!isWhole(r.to, 1)) add('to', `must be a whole number of tokens > 0, got ${String(r.to)}`);
  else if (isWhole(r.from, 1) && r.to < r.from) add('to', `the window only grows (SPEC §5): ${r.to} < from ${r.from}`);
  if (!isWhole(r.startStep, 0)) add('startStep', `must be a whole number >= 0, got ${String(r.startStep)}`);
  if (!isWhole(r.endStep, 0)) add('endStep', `must be a whole number >= 0, got ${String(r.endStep)}`);
  else if (isWhole(r.startStep, 0) && r.endStep <= r.startStep) {
    add('endStep', `must be greater than startStep ${r.startStep}, got ${r.endStep}`);
  }
  if (r.multipleOf !== undefined && !isWhole(r.multipleOf, 1)) {
    add('multipleOf', `must be a whole number > 0, got ${String(r.multipleOf)}`);
  }
  return problems;
}

/**
 * The window in force at `step`. Step-wise: the last entry with `fromStep ≤ step`. Linear: `from` up to
 * `startStep`, `to` from `endStep` on, and in between `from + (to − from)·(step − startStep)/(endStep − startStep)`
 * rounded *down* to a multiple of `multipleOf` (never below `from`): the window is a hard cap that memory is
 * planned for, so it never exceeds the ramp.
 */
export function windowAt(schedule: WindowSchedule, step: number): number {
  requireNonNegativeInteger(step, 'step');
  const problems = windowScheduleProblems(schedule);
  if (problems.length > 0) {
    throw new RlInputError('window', problems.map((p) => `${p.path || 'schedule'} ${p.message}`).join('; '));
  }
  const n = normalise(schedule);
  if ('steps' in n) {
    let window = n.steps[0].maxTokens;
    for (const s of n.steps) if (s.fromStep <= step) window = s.maxTokens;
    return window;
  }
  const { from, to, startStep, endStep, multipleOf = 1 } = n.linear;
  if (step <= startStep) return from;
  if (step >= endStep) return to;
  // Integer numerator and denominator: the quotient is exact whenever it is a whole number, so floor never drops one.
  const ramp = from + Math.floor(((to - from) * (step - startStep)) / (endStep - startStep));
  return Math.max(from, Math.floor(ramp / multipleOf) * multipleOf);
}
