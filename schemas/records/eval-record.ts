/**
 * Held-out evaluation at one step (SPEC §8): a score per task in [0, 1] — accuracy for verifiable sets, judge win
 * rate or constraint satisfaction for open-ended ones. The report's BWT matrix is built from the records taken at
 * step 0 (the base) and at the end of each stage.
 */
import { z } from 'zod';

export const evalRecordSchema = z
  .strictObject({
    step: z.int().min(0),
    /** Stage just finished when this was taken at a stage end; `base` before training; else the stage in progress. */
    stage: z.string().min(1),
    /** Why it was taken: the base before step 0, a stage end, the periodic schedule, or the final evaluation. */
    reason: z.enum(['base', 'stage-end', 'periodic', 'final']),
    /** Task → score in [0, 1], null when the task could not be scored (every sample undefined). */
    scores: z.record(z.string(), z.number().min(0).max(1).nullable()),
    /** Task → number of held-out prompts × samples evaluated. */
    samples: z.record(z.string(), z.int().min(0)),
    /** Mean think / answer length per task, tokens (GZ Fig. 2/4 at evaluation). */
    thinkTokensMean: z.record(z.string(), z.number().min(0)).optional(),
    answerTokensMean: z.record(z.string(), z.number().min(0)).optional(),
    /**
     * Task → pass@k with k = the samples a prompt was given: the share of prompts one of k samples solves with full
     * marks (unbiased estimator, rl/pass-at-k.ts); null when unknown. Absent in records written before it existed.
     */
    passAtK: z
      .record(z.string(), z.strictObject({ k: z.int().min(1), score: z.number().min(0).max(1).nullable() }).nullable())
      .optional(),
    evaluationMs: z.number().min(0),
  })
  .meta({ title: 'Evaluation record' });

export type EvalRecord = z.output<typeof evalRecordSchema>;
