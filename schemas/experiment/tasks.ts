/** `tasks`: the training tasks by name — kind, reward, data source and data-preparation filters (SPEC §7). */
import { z } from 'zod';
import { count, identifier, positiveCount, strict, uri } from './primitives.ts';

export const TASK_KINDS = ['code', 'math', 'stem', 'qa', 'writing'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** JSONL row adapters (data/ implements them): which public dataset's row layout a file follows. */
export const DATASET_ADAPTERS = ['webinstruct', 'openr1-math', 'code-r1', 'supergpqa', 'sharegpt', 'omni'] as const;

const syntheticSource = strict({
  type: z.literal('synthetic').meta({ description: 'A synthetic task world.' }),
  world: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/)
    .optional()
    .meta({ description: "Synthetic task world (data/ registry). Default: the task's kind." }),
  seed: count.optional().meta({ description: "Seed of the world's generator. Default: the experiment seed." }),
  trainSize: positiveCount.default(1000).meta({ description: 'Training prompts generated. Default 1000.' }),
  heldOutSize: count
    .default(100)
    .meta({ description: 'Held-out prompts for evaluation, disjoint from training. Default 100.' }),
}).meta({
  title: 'Synthetic task world',
  description: 'Generated tasks with exact references, for the demo and tests.',
});

/** What a dataset file source says, whatever its format. */
const fileFields = {
  uri: uri.meta({
    description: 'Training rows: a JSONL file (one JSON object per line) or, for type file, a Parquet file.',
  }),
  adapter: z.enum(DATASET_ADAPTERS).default('omni').meta({
    description:
      "Row layout: 'webinstruct', 'openr1-math', 'code-r1', 'supergpqa', 'sharegpt', or 'omni' (our dataset-row schema). Default omni.",
  }),
  heldOutUri: uri
    .optional()
    .meta({ description: 'Held-out rows for evaluation. Default: split heldOutSize rows off the training file.' }),
  heldOutSize: count
    .default(100)
    .meta({ description: 'Rows split off for evaluation when heldOutUri is absent. Default 100.' }),
  maxSamples: positiveCount
    .optional()
    .meta({ description: 'Seeded subsample of the training rows after filtering (OT math: 12,000). Default: all.' }),
};

const jsonlSource = strict({
  type: z.literal('jsonl').meta({ description: 'A JSONL file read through an adapter.' }),
  ...fileFields,
}).meta({ title: 'JSONL dataset' });

const fileSource = strict({
  type: z.literal('file').meta({ description: 'A JSONL or Parquet file read through an adapter.' }),
  format: z.enum(['jsonl', 'parquet']).optional().meta({
    description: "File format of uri and heldOutUri. Default: 'parquet' for a name ending in .parquet, else 'jsonl'.",
  }),
  ...fileFields,
}).meta({ title: 'Dataset file (JSONL or Parquet)' });

export const taskSourceSchema = z
  .discriminatedUnion('type', [syntheticSource, jsonlSource, fileSource])
  .meta({ title: 'Task data source' });

export const filtersSchema = strict({
  difficulty: strict({
    enabled: z.boolean().default(false).meta({
      description:
        'Drop prompts a reference model answers correctly all k times or none of k (GZ §4.1.2). Default false.',
    }),
    k: z.int().min(2).default(8).meta({ description: 'Samples per prompt. Default 8 (GZ).' }),
    referenceModel: uri.optional().meta({
      description:
        "Checkpoint folder the worker's engine samples from (ours, or a Hugging Face Qwen2/Qwen3 one with the config's tokenizer). Default: the base policy (model.checkpoint, or the preset's fresh weights at the experiment seed).",
    }),
    referenceEndpoint: strict({
      baseURL: z
        .url({
          protocol: /^https?$/,
          error: 'must be an http(s) URL of an OpenAI-compatible API, e.g. "http://127.0.0.1:8000/v1"',
        })
        .meta({ description: 'Base URL of the chat-completions API including /v1 (vLLM, SGLang, llama.cpp server).' }),
      model: z.string().min(1).meta({ description: 'Model name as the server knows it.' }),
      useN: z.boolean().default(false).meta({
        description: 'Ask for the k samples in one request with n: k (vLLM, SGLang); else k requests. Default false.',
      }),
      concurrency: positiveCount.default(8).meta({ description: 'Requests in flight at once. Default 8.' }),
    })
      .optional()
      .meta({
        title: 'Reference endpoint',
        description:
          "Sample from an OpenAI-compatible server instead of a checkpoint (GZ used Qwen3-8B-Instruct). The API key is the worker's OMNI_ZERO_REFERENCE_API_KEY (or OPENAI_API_KEY), never the config's.",
      }),
    maxTokens: positiveCount.optional().meta({
      description: "Longest reference response, tokens. Default: the response window at step 0 (the policy's first).",
    }),
  })
    .prefault({})
    .meta({ title: 'Difficulty filter' }),
  maxPromptTokens: positiveCount.nullable().optional().meta({
    description:
      'Drop prompts longer than this many policy tokens; null = no limit. Default: 1024 for code (OT §4.1), null otherwise.',
  }),
  dedup: z
    .boolean()
    .default(true)
    .meta({ description: 'Drop exact-duplicate prompts (after whitespace normalisation). Default true.' }),
  categoryDownsample: strict({
    field: z
      .string()
      .min(1)
      .default('category')
      .meta({ description: "Row field holding the category. Default 'category'." }),
    total: positiveCount.meta({
      description: 'Rows kept, allotted to categories in proportion to their size (OT SuperGPQA: 5,500).',
    }),
  })
    .optional()
    .meta({ title: 'Proportional down-sampling by category' }),
  sharegpt: strict({
    split: z.enum(['per-turn', 'last-turn']).default('per-turn').meta({
      description:
        "'per-turn' = one sample per assistant turn with the preceding turns as context (GZ); 'last-turn' = only the final turn. Default per-turn.",
    }),
    maxTurns: positiveCount.optional().meta({
      description: 'Drop conversations with more turns than this (OT drops those over two). Default: keep all.',
    }),
    minResponseChars: count
      .default(0)
      .meta({ description: "Drop 'overly simple' turns whose reference reply is shorter than this (GZ). Default 0." }),
  })
    .optional()
    .meta({ title: 'ShareGPT rules' }),
}).meta({ title: 'Data filters' });

export const taskSchema = strict({
  kind: z.enum(TASK_KINDS).meta({ description: 'Domain: code, math, stem, qa (verifiable) or writing (judged).' }),
  verifiable: z
    .boolean()
    .optional()
    .meta({ description: 'Scored by a rule-based verifier. Default: every kind but writing.' }),
  scorer: z.enum(['verifier', 'judge', 'constraints', 'length-biased']).optional().meta({
    description:
      "'verifier' for verifiable tasks; 'judge' (LLM judge, needs rewards.judge) or 'constraints' (rule-checked writing constraints, Qwen3) for non-verifiable ones; 'length-biased' is a deliberately hackable writing reward that pays for longer answers (the length-penalty finding only, docs/rewards.md). Default: verifier if verifiable, else judge.",
  }),
  weight: z
    .number()
    .positive({ error: 'must be > 0' })
    .default(1)
    .meta({ description: 'Mixture weight in a derived joint stage. Default 1.' }),
  source: taskSourceSchema,
  filters: filtersSchema.prefault({}),
})
  .superRefine((t, ctx) => {
    const verifiable = t.verifiable ?? t.kind !== 'writing';
    if (t.kind === 'writing' && verifiable)
      ctx.addIssue({
        code: 'custom',
        path: ['verifiable'],
        message: 'writing tasks have no rule-based verifier: use verifiable: false with the judge or constraints',
      });
    if ((t.kind === 'code' || t.kind === 'math') && !verifiable)
      ctx.addIssue({
        code: 'custom',
        path: ['verifiable'],
        message: `${t.kind} tasks are verified by rule (${t.kind === 'code' ? 'unit tests' : 'math equivalence'}); remove verifiable: false`,
      });
    if (t.scorer !== undefined && verifiable !== (t.scorer === 'verifier'))
      ctx.addIssue({
        code: 'custom',
        path: ['scorer'],
        message: verifiable
          ? "a verifiable task uses scorer 'verifier' (the model-based fallback is rewards.modelVerifier)"
          : "a non-verifiable task uses scorer 'judge', 'constraints' or 'length-biased'",
      });
    if (t.filters.difficulty.enabled && !verifiable)
      ctx.addIssue({
        code: 'custom',
        path: ['filters', 'difficulty', 'enabled'],
        message: 'the difficulty filter counts correct answers, so it needs a verifiable task',
      });
    if (t.filters.difficulty.referenceModel !== undefined && t.filters.difficulty.referenceEndpoint !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['filters', 'difficulty', 'referenceEndpoint'],
        message: 'give referenceModel (a checkpoint) or referenceEndpoint (a server), not both',
      });
    if (t.filters.categoryDownsample !== undefined && t.source.type === 'synthetic')
      ctx.addIssue({
        code: 'custom',
        path: ['filters', 'categoryDownsample'],
        message: 'only applies to a jsonl source or a file source',
      });
    if (t.filters.sharegpt !== undefined && (t.source.type === 'synthetic' || t.source.adapter !== 'sharegpt'))
      ctx.addIssue({
        code: 'custom',
        path: ['filters', 'sharegpt'],
        message: "only applies to a jsonl source or a file source with adapter 'sharegpt'",
      });
  })
  .transform((t) => {
    const verifiable = t.verifiable ?? t.kind !== 'writing';
    return {
      ...t,
      verifiable,
      scorer: t.scorer ?? (verifiable ? 'verifier' : 'judge'),
      filters: {
        ...t.filters,
        maxPromptTokens:
          t.filters.maxPromptTokens === undefined ? (t.kind === 'code' ? 1024 : null) : t.filters.maxPromptTokens,
      },
    };
  })
  .meta({ title: 'Task' });

export const tasksSchema = z
  .record(identifier, taskSchema)
  .refine((tasks) => Object.keys(tasks).length > 0, { error: 'define at least one task' })
  .meta({
    title: 'Tasks',
    description: 'Training tasks by name (lower-case identifiers); stages refer to these names.',
  });
