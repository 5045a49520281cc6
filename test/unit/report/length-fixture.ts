import type { StepMetrics } from '../../../schemas/records/step-metrics.ts';

/** A step that sampled `task` with these means (and the timings a run summary reads; no other field is read). */
export const step = (n: number, task: string, think: number, answer: number, reward: number | null) =>
  ({
    step: n,
    timings: { rolloutMs: 0, scoringMs: 0, updateMs: 0 },
    perTask: { [task]: { thinkTokensMean: think, answerTokensMean: answer, rewardMean: reward } },
  }) as unknown as StepMetrics;
