/** `checkpoint`: when to write checkpoints, how many to keep and where (DESIGN: manifest written last). */
import { z } from 'zod';
import { positiveCount, strict, uri } from './primitives.ts';

export const checkpointSchema = strict({
  everySteps: positiveCount
    .default(50)
    .meta({ description: 'Checkpoint every K global steps (and always at stage ends). Default 50.' }),
  keepLast: positiveCount
    .default(3)
    .meta({ description: 'Newest checkpoints kept; older ones are deleted. Default 3.' }),
  keepBest: z
    .boolean()
    .default(true)
    .meta({ description: 'Also keep the checkpoint with the best bestMetric, outside the rotation. Default true.' }),
  bestMetric: z
    .string()
    .min(1)
    .default('eval/mean')
    .meta({ description: "Evaluation metric that picks the best checkpoint (higher is better). Default 'eval/mean'." }),
  storage: uri.default('file://.omni-zero/runs').meta({
    description:
      'Where runs write checkpoints, rollouts and metrics: file://<dir> or s3://<bucket>/<prefix>. Default file://.omni-zero/runs.',
  }),
}).meta({ title: 'Checkpoints' });
