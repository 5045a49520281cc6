/** `evaluation`: held-out evaluation during and after training, for the BWT matrix (SPEC §8, GZ §4.2). */
import { z } from 'zod';
import { count, identifier, positiveCount, strict } from './primitives.ts';

export const evaluationSchema = strict({
  everySteps: count
    .default(50)
    .meta({ description: 'Evaluate every N global steps; 0 = only at stage ends. Default 50.' }),
  atStageEnd: z
    .boolean()
    .default(true)
    .meta({ description: 'Evaluate every domain after each stage (the BWT matrix needs it). Default true.' }),
  baseline: z
    .boolean()
    .default(true)
    .meta({ description: 'Evaluate the base policy before step 0 (P_base of BWT). Default true.' }),
  temperature: z.number().min(0).default(0.7).meta({ description: 'Default 0.7 (GZ §4.2).' }),
  topP: z.number().gt(0).max(1).default(0.8).meta({ description: 'Default 0.8 (GZ §4.2).' }),
  topK: z.int().min(0).default(20).meta({ description: '0 = off. Default 20 (GZ §4.2).' }),
  repetitionPenalty: z.number().gt(0).default(1.05).meta({ description: 'Default 1.05 (GZ §4.2).' }),
  maxTokens: positiveCount.optional().meta({
    description: 'Response limit at evaluation. Default: the largest training window (GZ evaluates at 24,576).',
  }),
  avgK: positiveCount
    .default(1)
    .meta({ description: 'Samples per prompt, accuracy averaged (avg@k; GZ uses 64 for AIME). Default 1.' }),
  perTask: z
    .record(
      identifier,
      strict({
        avgK: positiveCount.optional().meta({ description: 'avg@k for this task. Default evaluation.avgK.' }),
        heldOutSize: count
          .optional()
          .meta({ description: 'Held-out prompts evaluated for this task. Default: all of its held-out set.' }),
      })
    )
    .default({})
    .meta({ description: 'Per-task overrides of avgK and of the number of held-out prompts evaluated. Default {}.' }),
})
  .superRefine((e, ctx) => {
    const ks = [e.avgK, ...Object.values(e.perTask).map((t) => t.avgK ?? 1)];
    if (e.temperature === 0 && ks.some((k) => k > 1))
      ctx.addIssue({
        code: 'custom',
        path: ['temperature'],
        message: 'must be > 0 when avg@k uses k > 1: greedy samples are all identical',
      });
  })
  .meta({
    title: 'Evaluation',
    description: 'GZ evaluation sampling: temperature 0.7, top-p 0.8, top-k 20, repetition penalty 1.05.',
  });
