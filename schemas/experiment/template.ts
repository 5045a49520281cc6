/** `template`: the response tags and system prompt (SPEC §1). */
import { z } from 'zod';
import { strict } from './primitives.ts';

/** GZ Table 1, verbatim (modified by GZ from DeepSeek-R1-Zero's template). */
export const GZ_SYSTEM_PROMPT =
  'A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. The reasoning process and answer are enclosed within <thinking> </thinking> and <answer> </answer> tags, respectively, i.e., <thinking> reasoning process here </thinking> <answer> answer here </answer>. Now the user asks you to solve a problem. After thinking, when you finally reach a conclusion, give a summary of the thinking process and clearly state the conclusion within <answer> </answer> tags.';

/**
 * OT/Qwen3 style. OT does not print its system prompt (it only says the model reasons in `<think>…</think>` before
 * the `<answer>…</answer>` segment, §3.1), so this is GZ Table 1 with OT's tag names: our choice, not a paper's text.
 */
export const OT_SYSTEM_PROMPT =
  'A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> <answer> answer here </answer>. Now the user asks you to solve a problem. After thinking, when you finally reach a conclusion, give a summary of the thinking process and clearly state the conclusion within <answer> </answer> tags.';

export const TEMPLATE_STYLES = {
  /** GZ: `<thinking>…</thinking> <answer>…</answer>` with the Table 1 system prompt. */
  gz: { thinkTag: 'thinking', answerTag: 'answer', systemPrompt: GZ_SYSTEM_PROMPT },
  /** OT / Qwen3: `<think>…</think><answer>…</answer>`. */
  ot: { thinkTag: 'think', answerTag: 'answer', systemPrompt: OT_SYSTEM_PROMPT },
} as const;

const tagName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, { error: "must be a bare tag name without angle brackets, e.g. 'think'" });

export const templateSchema = strict({
  style: z.enum(['gz', 'ot']).default('gz').meta({
    description:
      "Tag style: 'gz' = <thinking>/<answer> with GZ Table 1's system prompt (default); 'ot' = <think>/<answer> (OT, Qwen3). Sets the defaults of the fields below.",
  }),
  thinkTag: tagName
    .optional()
    .meta({ description: "Name of the reasoning tag. Default by style: 'thinking' (gz), 'think' (ot)." }),
  answerTag: tagName.optional().meta({ description: "Name of the answer tag. Default 'answer'." }),
  systemPrompt: z.string().min(1).optional().meta({
    description:
      'System prompt shown before every question. Default by style: GZ Table 1 (gz) or the same text with <think> tags (ot).',
  }),
  prefillThink: z.boolean().default(false).meta({
    description:
      'Start the assistant turn with the opening think tag already written (Qwen3-style chat templates do); the response is then parsed as if it began with that tag. Default false.',
  }),
})
  .superRefine((t, ctx) => {
    const style = TEMPLATE_STYLES[t.style];
    if ((t.thinkTag ?? style.thinkTag) === (t.answerTag ?? style.answerTag))
      ctx.addIssue({
        code: 'custom',
        path: ['answerTag'],
        message: 'must differ from thinkTag: the two contents could not be told apart',
      });
    const renamed =
      (t.thinkTag !== undefined && t.thinkTag !== style.thinkTag) ||
      (t.answerTag !== undefined && t.answerTag !== style.answerTag);
    if (renamed && t.systemPrompt === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['systemPrompt'],
        message: `required when the tags are renamed: the default '${t.style}' prompt tells the model to use <${style.thinkTag}> and <${style.answerTag}>`,
      });
  })
  .transform((t) => {
    const style = TEMPLATE_STYLES[t.style];
    return {
      style: t.style,
      thinkTag: t.thinkTag ?? style.thinkTag,
      answerTag: t.answerTag ?? style.answerTag,
      systemPrompt: t.systemPrompt ?? style.systemPrompt,
      prefillThink: t.prefillThink,
    };
  })
  .meta({ title: 'Response template', description: 'Tag names and system prompt (SPEC §1).' });
