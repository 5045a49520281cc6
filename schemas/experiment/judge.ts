/** `rewards.judge`: the OpenAI-compatible LLM judge for non-verifiable tasks (GZ scalar, OT pairwise, verify). */
import { z } from 'zod';
import { positiveCount, strict } from './primitives.ts';

/** Placeholders each mode's template must contain; the judge client fills them. */
export const JUDGE_PLACEHOLDERS = {
  scalar: ['{question}', '{answer}'],
  pairwise: ['{question}', '{answer}', '{reference}'],
  verify: ['{question}', '{answer}', '{reference}'],
} as const;

const template = (mode: keyof typeof JUDGE_PLACEHOLDERS) =>
  z
    .string()
    .min(1)
    .optional()
    .meta({
      description: `Prompt template for ${mode} mode, with ${JUDGE_PLACEHOLDERS[mode].join(', ')}. Default: the judge client's built-in template.`,
    });

export const judgeSchema = strict({
  mode: z.enum(['scalar', 'pairwise', 'verify']).default('scalar').meta({
    description:
      "How non-verifiable answers are scored: 'scalar' = a score in [-5, 5] for (question, answer) (GZ eq. 3, default); 'pairwise' = 1 better / 0.5 tie / 0 worse than the reference answer (OT §4.4); 'verify' = equivalent-to-reference verdict (Qwen3, General-Reasoner).",
  }),
  baseURL: z
    .url({
      protocol: /^https?$/,
      error: 'must be an http(s) URL of an OpenAI-compatible API, e.g. "http://127.0.0.1:8000/v1"',
    })
    .meta({ description: 'Base URL of the OpenAI-compatible API (vLLM, SGLang, llama.cpp server, OpenAI).' }),
  model: z.string().min(1).meta({ description: 'Judge model name as the server knows it.' }),
  apiKeyEnv: z
    .string()
    .superRefine((name, ctx) => {
      // A pasted key would land in workflow history and the Web UI; say so without echoing it.
      if (/^(sk-|Bearer\s)/.test(name) || (name.length >= 32 && /[a-z]/.test(name) && /[0-9]/.test(name)))
        ctx.addIssue({
          code: 'custom',
          message:
            'looks like an API key: put the key in an environment variable and give its NAME here (configs end up in workflow history)',
        });
      else if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        ctx.addIssue({
          code: 'custom',
          message: 'must be the NAME of an environment variable holding the key (e.g. "JUDGE_API_KEY")',
        });
    })
    .optional()
    .meta({
      description:
        'Name of the environment variable that holds the API key, read by the worker. Omit for servers that need no key.',
    }),
  concurrency: positiveCount.default(8).meta({ description: 'Judge calls in flight at once. Default 8.' }),
  timeoutMs: positiveCount.default(60_000).meta({ description: 'Per-call timeout in milliseconds. Default 60000.' }),
  retries: z
    .int()
    .min(0)
    .default(3)
    .meta({ description: 'Retries after a failed call (429, 5xx, network), with exponential backoff. Default 3.' }),
  temperature: z.number().min(0).default(0).meta({ description: 'Judge sampling temperature. Default 0.' }),
  maxTokens: positiveCount.default(1024).meta({ description: 'Maximum tokens of one judge reply. Default 1024.' }),
  bothOrders: z.boolean().default(true).meta({
    description:
      'Pairwise mode: judge (answer, reference) and (reference, answer) and average, cancelling position bias. Default true.',
  }),
  prompts: strict({ scalar: template('scalar'), pairwise: template('pairwise'), verify: template('verify') })
    .prefault({})
    .meta({ description: 'Prompt templates by mode; omitted ones use the judge client defaults.' }),
})
  .superRefine((j, ctx) => {
    for (const mode of ['scalar', 'pairwise', 'verify'] as const) {
      const text = j.prompts[mode];
      if (text === undefined) continue;
      const missing = JUDGE_PLACEHOLDERS[mode].filter((p) => !text.includes(p));
      if (missing.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: ['prompts', mode],
          message: `template is missing placeholder(s) ${missing.join(', ')}`,
        });
    }
  })
  .meta({
    title: 'LLM judge',
    description: 'OpenAI-compatible judge; the API key comes from the environment, never from the config.',
  });
