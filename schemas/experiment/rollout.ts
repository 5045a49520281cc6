/** `rollout`: how the policy samples G responses per prompt during training (GZ §4.1). */
import { z } from 'zod';
import { positiveCount, strict } from './primitives.ts';

export const rolloutSchema = strict({
  groupSize: z
    .int()
    .min(2, { error: 'must be at least 2: GRPO normalises rewards within a group, and a group of one has no signal' })
    .default(16)
    .meta({ description: 'G, responses sampled per prompt. Default 16 (GZ §4.1).' }),
  temperature: z
    .number()
    .gt(0, { error: 'must be > 0: greedy decoding makes every response of a group identical, so every advantage is 0' })
    .default(1.0)
    .meta({ description: 'Sampling temperature. Default 1.0 (GZ §4.1).' }),
  topP: z
    .number()
    .gt(0)
    .max(1)
    .default(1.0)
    .meta({ description: 'Nucleus sampling mass in (0, 1]. Default 1.0 (GZ §4.1).' }),
  topK: z.int().min(0).default(0).meta({ description: 'Keep only the k most likely tokens; 0 = off. Default 0.' }),
  repetitionPenalty: z
    .number()
    .gt(0)
    .default(1.0)
    .meta({ description: 'Divides the logits of already-generated tokens (HF semantics); 1.0 = off. Default 1.0.' }),
  promptsPerStep: positiveCount
    .default(128)
    .meta({ description: 'Prompts per RL step (the batch size). Default 128 (GZ §4.1).' }),
}).meta({ title: 'Rollout', description: 'Training-time sampling (GZ §4.1: G=16, temperature 1.0, top-p 1.0).' });
