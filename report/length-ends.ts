/**
 * A task's think and answer lengths and reward at the start and end of its training: means over the first and last
 * quarter of the steps that sampled it (at least one step each). GZ Fig. 4 reads the length penalty off exactly these
 * two ends: answer length growing without it, held with it, think length not collapsing.
 */
import type { StepMetrics } from '../schemas/records/step-metrics.ts';

export interface LengthWindow {
  thinkTokens: number;
  answerTokens: number;
  /** Mean reward; null when no step in the window had a defined one. */
  reward: number | null;
}

export interface LengthEnds {
  /** Steps that sampled the task. */
  steps: number;
  first: LengthWindow;
  last: LengthWindow;
}

const mean = (xs: number[]): number | null => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

function windowOf(per: StepMetrics['perTask'][string][]): LengthWindow {
  return {
    thinkTokens: mean(per.map((p) => p.thinkTokensMean)) ?? 0,
    answerTokens: mean(per.map((p) => p.answerTokensMean)) ?? 0,
    reward: mean(per.flatMap((p) => (p.rewardMean === null ? [] : [p.rewardMean]))),
  };
}

/** Null when no step sampled the task. `metrics` sorted by step (as RunData keeps them). */
export function lengthEnds(metrics: readonly StepMetrics[], task: string): LengthEnds | null {
  const per = metrics.flatMap((m) => (m.perTask[task] ? [m.perTask[task]] : []));
  if (per.length === 0) return null;
  const q = Math.max(1, Math.floor(per.length / 4));
  return { steps: per.length, first: windowOf(per.slice(0, q)), last: windowOf(per.slice(-q)) };
}
