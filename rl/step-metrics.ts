/**
 * SPEC §8's per-step metrics from one step's records: overall and per task, computed where the data is and returned
 * as a plain record (the StepMetrics schema's `perTask` entries). Pure.
 */
import type { ZeroVarianceCount } from './advantages.ts';

export interface StepSampleFacts {
  task: string;
  /** Total reward, null when undefined (dropped before the update). */
  total: number | null;
  /** Reward components by name (accuracy, format, tags, length), null where undefined. */
  components: Record<string, number | null>;
  /** Whether the answer was judged correct, for verifiable tasks; null otherwise. */
  correct: boolean | null;
  thinkTokens: number;
  answerTokens: number;
  thinkChars: number;
  answerChars: number;
  responseTokens: number;
  truncated: boolean;
}

export interface TaskMetrics {
  rewardMean: number | null;
  components: Record<string, number | null>;
  accuracy: number | null;
  thinkTokensMean: number;
  answerTokensMean: number;
  thinkCharsMean: number;
  answerCharsMean: number;
  responseTokensMean: number;
  truncatedFraction: number;
  zeroVarianceGroupFraction: number;
  droppedUndefined: number;
  samples: number;
}

const meanOf = (xs: number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const mean0 = (xs: number[]): number => meanOf(xs) ?? 0;

export function taskMetrics(
  samples: readonly StepSampleFacts[],
  zeroVariance: ZeroVarianceCount | undefined
): TaskMetrics {
  const defined = samples.filter((s) => s.total !== null).map((s) => s.total as number);
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.components)))].sort();
  const components = Object.fromEntries(
    names.map((n) => [
      n,
      meanOf(
        samples.flatMap((s) =>
          s.components[n] === null || s.components[n] === undefined ? [] : [s.components[n] as number]
        )
      ),
    ])
  );
  const judged = samples.filter((s) => s.correct !== null);
  return {
    rewardMean: meanOf(defined),
    components,
    accuracy: judged.length ? judged.filter((s) => s.correct).length / judged.length : null,
    thinkTokensMean: mean0(samples.map((s) => s.thinkTokens)),
    answerTokensMean: mean0(samples.map((s) => s.answerTokens)),
    thinkCharsMean: mean0(samples.map((s) => s.thinkChars)),
    answerCharsMean: mean0(samples.map((s) => s.answerChars)),
    responseTokensMean: mean0(samples.map((s) => s.responseTokens)),
    truncatedFraction: samples.length ? samples.filter((s) => s.truncated).length / samples.length : 0,
    zeroVarianceGroupFraction: zeroVariance?.zeroVarianceFraction ?? 0,
    droppedUndefined: samples.length - defined.length,
    samples: samples.length,
  };
}

/** Per task, plus the batch-wide reward mean and truncation fraction. */
export function stepMetricsByTask(
  samples: readonly StepSampleFacts[],
  zeroVariance: Record<string, ZeroVarianceCount>
): { perTask: Record<string, TaskMetrics>; rewardMean: number | null; truncatedFraction: number } {
  const tasks = [...new Set(samples.map((s) => s.task))].sort();
  const perTask = Object.fromEntries(
    tasks.map((t) => [
      t,
      taskMetrics(
        samples.filter((s) => s.task === t),
        zeroVariance[t]
      ),
    ])
  );
  const defined = samples.filter((s) => s.total !== null).map((s) => s.total as number);
  return {
    perTask,
    rewardMean: meanOf(defined),
    truncatedFraction: samples.length ? samples.filter((s) => s.truncated).length / samples.length : 0,
  };
}

/**
 * A held-out score in [0, 1] from one sample's accuracy component: the verifier's or constraint scale
 * (correct ↦ 1, incorrect ↦ 0), the GZ scalar judge's [−5, 5], or OT's pairwise 1 / 0.5 / 0 as it is.
 */
export function evalScore(
  accuracy: number | null,
  scale:
    | { kind: 'verifier' | 'constraints'; correct: number; incorrect: number }
    | { kind: 'judge-scalar' }
    | { kind: 'judge-pairwise' }
): number | null {
  if (accuracy === null) return null;
  switch (scale.kind) {
    case 'judge-scalar':
      return Math.min(1, Math.max(0, (accuracy + 5) / 10));
    case 'judge-pairwise':
      return Math.min(1, Math.max(0, accuracy));
    default: {
      const span = scale.correct - scale.incorrect;
      return span === 0 ? null : Math.min(1, Math.max(0, (accuracy - scale.incorrect) / span));
    }
  }
}

export type AccuracyScale = Parameters<typeof evalScore>[1];
