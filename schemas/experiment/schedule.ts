/** `schedule`: curriculum of single-task stages (OT §3.2) or one joint stage (GZ, OT joint) — SPEC §6. */
import { z } from 'zod';
import { identifier, nonNegative, positiveCount, strict } from './primitives.ts';
import { windowSchema } from './window.ts';

export const stageSchema = strict({
  name: identifier.meta({ description: 'Stage name, unique; shows in metrics, search attributes and checkpoints.' }),
  tasks: z
    .array(
      strict({
        task: identifier.meta({ description: 'A task name from `tasks`.' }),
        weight: z
          .number()
          .positive({ error: 'must be > 0' })
          .default(1)
          .meta({ description: 'Mixture weight (normalised over the stage). Default 1.' }),
      })
    )
    .min(1, { error: 'a stage needs at least one task' })
    .meta({ description: 'The mixture of tasks this stage samples from.' }),
  steps: positiveCount.optional().meta({ description: 'RL steps in this stage. Default: schedule.stepsPerStage.' }),
  window: windowSchema.optional().meta({
    description:
      "This stage's own window schedule (steps counted from the stage start). Default: the experiment window.",
  }),
  kl: strict({
    coef: nonNegative.optional().meta({ description: 'KL coefficient for this stage. Default grpo.kl.coef.' }),
    perTask: z
      .record(identifier, nonNegative)
      .optional()
      .meta({ description: 'β_k by task for this stage. Default grpo.kl.perTask.' }),
  })
    .optional()
    .meta({ title: 'Stage KL override' }),
  learningRate: z
    .number()
    .positive()
    .optional()
    .meta({ description: 'Learning rate for this stage. Default grpo.learningRate.' }),
}).meta({ title: 'Stage' });

/** OT's curriculum order, least → most forgettable (OT §3.2); stem sits with the other verifiable kinds before qa. */
export const CURRICULUM_ORDER = ['code', 'math', 'stem', 'qa', 'writing'] as const;

const common = {
  stepsPerStage: positiveCount.optional().meta({
    description: 'Step budget of each stage that does not give its own. Required when stages are derived from tasks.',
  }),
  stages: z.array(stageSchema).min(1).optional().meta({
    description:
      'Explicit stages. Default: derived from tasks (curriculum: one per task, code → math → stem → qa → writing; joint: one stage of all tasks by their weights).',
  }),
};

export const scheduleSchema = z
  .discriminatedUnion('kind', [
    strict({
      kind: z.literal('curriculum').meta({ description: 'Single-task stages in sequence (OT §3.2).' }),
      order: z.enum(['listed', 'reverse']).default('listed').meta({
        description: "Run the stages as listed (default) or in reverse order (OT's reverse-curriculum ablation).",
      }),
      ...common,
    }).meta({ title: 'Curriculum', description: 'Single-task stages in sequence (OT §3.2).' }),
    strict({ kind: z.literal('joint').meta({ description: 'One stage mixing tasks by weight.' }), ...common }).meta({
      title: 'Joint',
      description: 'One stage sampling a weighted mixture of tasks (GZ; OT joint).',
    }),
  ])
  .meta({
    title: 'Schedule',
    description: 'Curriculum (OT default order code → math → QA → writing) or joint multi-task training.',
  });
