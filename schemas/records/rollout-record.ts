/** One sampled response of a group, as the rollout activity writes it and the scorer and update read it. */
import { z } from 'zod';
import { TASK_KINDS } from '../experiment/tasks.ts';

export const rolloutRecordSchema = z
  .strictObject({
    /** `<groupId>/<sampleIndex>`: unique within the step. */
    id: z.string().min(1),
    /** The prompt's group: `<step>/<promptIndex>`; advantages are normalised within it and it never mixes tasks. */
    groupId: z.string().min(1),
    step: z.int().min(0),
    task: z.string().min(1),
    kind: z.enum(TASK_KINDS),
    /** Dataset row id of the prompt. */
    rowId: z.string().min(1),
    promptIndex: z.int().min(0),
    sampleIndex: z.int().min(0),
    /** Decoded response text (after the prompt, including a prefilled think tag when the template prefills it). */
    response: z.string(),
    /** Response token ids. */
    tokens: z.array(z.int().min(0)),
    /** Log-probabilities of those tokens under the sampling policy (π_old), one per token. */
    oldLogProbs: z.array(z.number()),
    /** Cut by the window in force rather than ended by EOS (SPEC §5). */
    truncated: z.boolean(),
    /** Window in force when sampled, tokens. */
    window: z.int().min(1),
  })
  .refine((r) => r.tokens.length === r.oldLogProbs.length, {
    error: 'oldLogProbs must have one entry per token',
    path: ['oldLogProbs'],
  })
  .meta({ title: 'Rollout record' });

export type RolloutRecord = z.output<typeof rolloutRecordSchema>;
