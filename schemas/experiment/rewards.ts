/** `rewards`: the reward components and how they are summed (SPEC §2–3, GZ eq. 2–9, OT §4.4). */
import { z } from 'zod';
import { DEFAULT_FORMAT_WEIGHT, LENGTH_PENALTY_WEIGHT, LENGTH_PENALTY_DEFAULTS as LP } from './defaults.ts';
import { judgeSchema } from './judge.ts';
import { nonNegative, positiveCount, strict } from './primitives.ts';

export const lengthPenaltySchema = strict({
  enabled: z.boolean().default(true).meta({
    description:
      'Apply the smooth length penalty to non-verifiable tasks (it never applies to verifiable ones). Default true (GZ §3.3).',
  }),
  weight: nonNegative.default(LENGTH_PENALTY_WEIGHT).meta({ description: 'β in GZ eq. 9. Default 2.' }),
  lMax: positiveCount.default(LP.lMax).meta({ description: 'L_max of GZ eq. 5, tokens. Default 2048.' }),
  lCache: positiveCount
    .default(LP.lCache)
    .meta({ description: 'L_cache of GZ eq. 5 (the ramp runs from L_max − L_cache to L_max), tokens. Default 1536.' }),
  answerMin: z.int().min(0).default(LP.answerMin).meta({ description: "L'_min of GZ eq. 6, tokens. Default 1024." }),
  answerMax: positiveCount.default(LP.answerMax).meta({ description: "L'_max of GZ eq. 6, tokens. Default 4096." }),
  lambda: nonNegative.default(LP.lambda).meta({ description: 'λ of GZ eq. 6, per token. Default 0.00025.' }),
  variant: z.enum(['paper', 'continuous']).default(LP.variant).meta({
    description:
      "'paper' = GZ eq. 6 as printed (jumps from 0 to −λ·L'_min just above L'_min; default); 'continuous' = the rl/ variant without the jump (see docs/rl.md).",
  }),
})
  .superRefine((p, ctx) => {
    if (p.lCache > p.lMax)
      ctx.addIssue({
        code: 'custom',
        path: ['lCache'],
        message: `must be ≤ lMax (${p.lMax}): the ramp starts at lMax − lCache, which must not be negative`,
      });
    if (p.answerMin >= p.answerMax)
      ctx.addIssue({ code: 'custom', path: ['answerMin'], message: `must be < answerMax (${p.answerMax})` });
  })
  .meta({
    title: 'Length penalty',
    description: 'GZ §3.3, eq. 5–7: R_length = R_think + R_answer, non-verifiable tasks only.',
  });

export const rewardsSchema = strict({
  aggregation: z.enum(['gz', 'ot']).default('gz').meta({
    description:
      "'gz' = GZ eq. 8–9: R = R_acc + α·R_format (+ β·R_length), undefined when R_acc is undefined (default); 'ot' = OT §4.4: Σ w_r·r over the defined components, samples with none dropped.",
  }),
  accuracy: strict({
    weight: nonNegative.default(1).meta({ description: 'Weight of the accuracy component. Default 1 (both papers).' }),
  })
    .prefault({})
    .meta({ title: 'Accuracy component' }),
  verifiable: strict({
    correct: z
      .number()
      .default(1)
      .meta({ description: 'R_acc for a correct answer. Default +1 (GZ eq. 2; OT uses 1).' }),
    incorrect: z
      .number()
      .default(-1)
      .meta({ description: 'R_acc for a wrong answer. Default −1 (GZ eq. 2; OT uses 0).' }),
    unparseable: z.enum(['incorrect', 'undefined']).default('incorrect').meta({
      description:
        "An answer that cannot be extracted counts as 'incorrect' (GZ, default) or leaves R_acc 'undefined' (OT).",
    }),
  })
    .superRefine((v, ctx) => {
      if (v.correct <= v.incorrect)
        ctx.addIssue({
          code: 'custom',
          path: ['correct'],
          message: `must be greater than incorrect (${v.incorrect}), or training would reward wrong answers`,
        });
    })
    .prefault({})
    .meta({ title: 'Verifiable accuracy', description: 'R_acc^ver values (GZ eq. 2).' }),
  format: strict({
    weight: nonNegative
      .optional()
      .meta({ description: 'α (GZ eq. 8–9) or OT w_format. Default 0.5 with gz aggregation, 0.1 with ot.' }),
  })
    .prefault({})
    .meta({
      title: 'Format reward',
      description: '1 iff both tags appear once, in order, closed, nothing but whitespace outside (GZ eq. 4).',
    }),
  tags: strict({
    enabled: z
      .boolean()
      .default(false)
      .meta({ description: 'Add the OT tags reward |tags present|/4. Default false.' }),
    weight: nonNegative.default(0.1).meta({ description: 'Its weight w. Default 0.1 (OT §4.4).' }),
  })
    .prefault({})
    .meta({ title: 'Tags reward (OT)' }),
  lengthPenalty: lengthPenaltySchema.prefault({}),
  judge: judgeSchema
    .optional()
    .meta({ description: 'LLM judge; required when a task is scored by the judge or the model-based verifier is on.' }),
  modelVerifier: strict({
    enabled: z.boolean().default(false).meta({
      description:
        'Ask the judge (verify template) whether a rule-rejected math/stem answer is equivalent to the reference (General-Reasoner). Default false.',
    }),
  })
    .prefault({})
    .meta({ title: 'Model-based verifier fallback' }),
})
  .transform((r) => ({ ...r, format: { weight: r.format.weight ?? DEFAULT_FORMAT_WEIGHT[r.aggregation] } }))
  .meta({ title: 'Rewards', description: 'Reward components, weights and aggregation (SPEC §2–3).' });
