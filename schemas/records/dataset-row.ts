/**
 * One training or evaluation prompt after a dataset adapter has read it (data/ writes these; the sampler, scorer and
 * evaluation read them). Rows failing this schema go to the quarantine file with the reason (SPEC §7).
 */
import { z } from 'zod';
import { TASK_KINDS } from '../experiment/tasks.ts';

export const chatMessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

export const datasetRowSchema = z
  .strictObject({
    /** Stable id, unique within the task (adapters derive it from the source row, e.g. its index or hash). */
    id: z.string().min(1),
    /** Task name from the config. */
    task: z.string().min(1),
    kind: z.enum(TASK_KINDS),
    /** The question as the user turn (for QA: with the candidate answers as plain text, OT §3.1). */
    prompt: z.string().min(1),
    /** Preceding turns for multi-turn sources (ShareGPT split, GZ), oldest first. */
    context: z.array(chatMessageSchema).optional(),
    /** Gold answer: math/stem final answer, QA gold text, or the reference reply for pairwise judging (OT). */
    reference: z.string().optional(),
    /** Further accepted answers (QA set membership). */
    accepted: z.array(z.string()).optional(),
    /** Code unit tests in the sandbox's format (rewards/sandbox defines it), kept opaque here. */
    tests: z.unknown().optional(),
    /** Checkable writing constraints (rewards/writing defines the record), kept opaque here. */
    constraints: z.array(z.unknown()).optional(),
    /** Source category, for proportional down-sampling (OT: SuperGPQA). */
    category: z.string().optional(),
    /** Anything else the adapter wants to keep (source name, difficulty pass rate…). JSON only. */
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ title: 'Dataset row' });

export type DatasetRow = z.output<typeof datasetRowSchema>;
