/** `grpo`: advantages, clipped objective, loss aggregation, KL and optimiser (SPEC §4). */
import { z } from 'zod';
import { GRPO_DEFAULTS } from './defaults.ts';
import { identifier, nonNegative, positiveCount, strict } from './primitives.ts';

const outsideUnit = (issue: { input?: unknown }) => `must be in (0, 1), got ${String(issue.input)}`;
const clipEpsilon = z.number().gt(0, { error: outsideUnit }).lt(1, { error: outsideUnit });

export const klSchema = strict({
  coef: nonNegative.default(GRPO_DEFAULTS.kl.coef).meta({
    description:
      'β, the KL coefficient against the frozen reference policy; 0 = off, no reference model loaded. Default 0 (GZ §4.1).',
  }),
  estimator: z
    .enum(['k1', 'k2', 'k3'])
    .default(GRPO_DEFAULTS.kl.estimator)
    .meta({ description: "Per-token KL estimator; 'k3' is the low-variance exp(−x)+x−1. Default k3." }),
  perTask: z
    .record(identifier, nonNegative)
    .default({})
    .meta({ description: 'β_k by task name, overriding coef for that task (OT MT-GRPO). Default {}.' }),
}).meta({ title: 'KL penalty' });

export const grpoSchema = strict({
  advantage: strict({
    estimator: z.enum(['grpo', 'drgrpo', 'rloo']).default(GRPO_DEFAULTS.advantage.estimator).meta({
      description:
        "'grpo' = (R − mean)/(std + ε) (default); 'drgrpo' = R − mean, no std (Dr. GRPO); 'rloo' = leave-one-out baseline.",
    }),
    epsilon: z
      .number()
      .positive()
      .default(GRPO_DEFAULTS.advantage.epsilon)
      .meta({ description: 'ε added to the std. Default 1e-6 (verl).' }),
    scope: z.enum(['group', 'task-batch']).default('group').meta({
      description:
        "Where the std comes from: 'group' = the prompt's G responses (GZ, OT, default); 'task-batch' = all responses of the same task in the step (mean still per group). Groups never mix tasks either way.",
    }),
  })
    .prefault({})
    .meta({ title: 'Advantage estimator' }),
  clip: strict({
    low: clipEpsilon
      .default(GRPO_DEFAULTS.clip.low)
      .meta({ description: 'ε_low: ratio floor 1 − ε_low. Default 0.2.' }),
    high: clipEpsilon
      .default(GRPO_DEFAULTS.clip.high)
      .meta({ description: "ε_high: ratio ceiling 1 + ε_high (DAPO's clip-higher uses 0.28). Default 0.2." }),
    dual: z
      .number()
      .gt(1, { error: 'must be > 1: dual-clip caps the loss of negative-advantage tokens at c·|A|' })
      .optional()
      .meta({ description: 'Dual-clip constant c for negative advantages (verl uses 3). Default off.' }),
  })
    .prefault({})
    .meta({ title: 'PPO clip' }),
  loss: strict({
    aggregation: z
      .enum(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum', 'constant-normaliser'])
      .default(GRPO_DEFAULTS.aggregation)
      .meta({
        description:
          "'token-mean' over the whole batch's tokens (GZ, DAPO; default); 'seq-mean-token-mean' (OT eq. MT-GRPO, original GRPO); 'seq-mean-token-sum'; 'constant-normaliser' = token sum / constant (Dr. GRPO).",
      }),
    constant: z.number().positive().optional().meta({
      description:
        'The fixed normaliser for constant-normaliser, in tokens. Must be a constant, never the window in force: a window growing 2048→24576 would shrink every step 12×.',
    }),
  })
    .superRefine((l, ctx) => {
      if (l.aggregation === 'constant-normaliser' && l.constant === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['constant'],
          message: 'required with constant-normaliser: a fixed number of tokens, e.g. 4096',
        });
      if (l.aggregation !== 'constant-normaliser' && l.constant !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['constant'],
          message: `only used with aggregation 'constant-normaliser' (here '${l.aggregation}'); remove it`,
        });
    })
    .prefault({})
    .meta({ title: 'Loss aggregation' }),
  kl: klSchema.prefault({}),
  entropyCoef: nonNegative
    .default(GRPO_DEFAULTS.entropyCoef)
    .meta({ description: 'Entropy bonus coefficient. Default 0 (verl).' }),
  learningRate: z.number().positive().optional().meta({
    description:
      'Constant learning rate. Default from the model preset (micro 1e-3, tiny 5e-4, small 3e-4); required otherwise. GZ uses 1e-6 for Qwen3-8B/14B.',
  }),
  miniBatchSize: positiveCount.optional().meta({
    description:
      'Prompts per optimiser step; must divide rollout.promptsPerStep. Default = promptsPerStep, one on-policy step per RL step (GZ: 128 of 128).',
  }),
  epochs: positiveCount
    .default(GRPO_DEFAULTS.epochs)
    .meta({ description: 'Passes over each RL batch (PPO epochs). Default 1.' }),
  gradientAccumulation: positiveCount.default(1).meta({
    description:
      'Micro-batches per mini-batch, summed before the optimiser step; token-mean still divides by the whole mini-batch token count. Default 1.',
  }),
  memoryBudgetMb: z.number().positive().optional().meta({
    description:
      'MiB the update’s tensors may use at their peak; micro-batches get fewer sequences (never more than gradientAccumulation gives) until the estimated peak fits. Default from the backend: 3072 on wasm (its heap stops at 4 GiB), half the machine’s memory on native TensorFlow.',
  }),
  gradientCheckpointing: z
    .union([z.literal('auto'), z.boolean()])
    .default(GRPO_DEFAULTS.gradientCheckpointing)
    .meta({
      description:
        "Recompute each layer's forward pass in backward to hold one layer's activations at a time (TRL's gradient_checkpointing, verl's enable_gradient_checkpointing): true always, false never (one gradient tape over the whole model: faster, all layers' activations alive), 'auto' when the tape's estimated peak would take more than a quarter of memoryBudgetMb. Micro-batches are sized by the chosen pass's estimate. Default 'auto'.",
    }),
  gradClip: nonNegative
    .default(GRPO_DEFAULTS.gradClip)
    .meta({ description: 'Global gradient-norm clip; 0 = off. Default 1.0 (verl).' }),
  adam: strict({
    beta1: z.number().min(0).lt(1).default(0.9).meta({ description: 'Default 0.9.' }),
    beta2: z.number().min(0).lt(1).default(0.999).meta({ description: 'Default 0.999.' }),
    epsilon: z.number().positive().default(1e-8).meta({ description: 'Default 1e-8.' }),
    weightDecay: nonNegative.default(0).meta({ description: 'Decoupled weight decay (AdamW). Default 0.' }),
  })
    .prefault({})
    .meta({ title: 'Adam optimiser' }),
  dynamicSampling: strict({
    enabled: z.boolean().default(false).meta({
      description:
        'DAPO: a step draws more batches of prompts until it holds rollout.promptsPerStep groups whose rewards are not all equal, and trains on those only. Default false.',
    }),
    maxBatches: z.int().min(1).default(3).meta({
      description:
        'Most batches drawn per step (the first included); when reached, the step trains on the groups kept so far and logs a warning. At least 1: a step must end. Default 3.',
    }),
  })
    .prefault({})
    .meta({ title: 'Dynamic sampling (DAPO)' }),
  maskTruncated: z.boolean().default(GRPO_DEFAULTS.maskTruncated).meta({
    description:
      'Exclude responses cut by the window from the loss (DAPO overlong masking). Default false: they fail the format check instead (SPEC §5).',
  }),
}).meta({ title: 'GRPO', description: 'Policy optimisation (SPEC §4).' });
