/**
 * The experiment config: one validated file that becomes one durable run. Every knob of SPEC.md §1–8 with the
 * papers' defaults applied by the schema, so a minimal config is short; every object is strict, so a typo is an
 * error rather than a silent default. Cross-section checks run once every section is valid on its own.
 *
 * Imported inside Temporal's workflow sandbox too: zod only, no Node built-ins.
 */
import { z } from 'zod';
import { didYouMean } from './did-you-mean.ts';
import { checkpointSchema } from './experiment/checkpoint.ts';
import { evaluationSchema } from './experiment/evaluation.ts';
import { grpoSchema } from './experiment/grpo.ts';
import { MODEL_PRESETS, modelSchema } from './experiment/model.ts';
import { orchestrationSchema } from './experiment/orchestration.ts';
import { identifier, strict } from './experiment/primitives.ts';
import { rewardsSchema } from './experiment/rewards.ts';
import { rolloutSchema } from './experiment/rollout.ts';
import { CURRICULUM_ORDER, scheduleSchema } from './experiment/schedule.ts';
import { tasksSchema } from './experiment/tasks.ts';
import { templateSchema } from './experiment/template.ts';
import { trackingSchema } from './experiment/tracking.ts';
import { GZ_WINDOW_STEPS, maxWindow, windowSchema } from './experiment/window.ts';

/** Token ids the byte tokenizer needs besides its 256 bytes: pad, bos, eos, and one per tag when tagTokens is on. */
const BYTE_SPECIALS = 3;
const BYTE_TAG_TOKENS = 4;

const sections = strict({
  $schema: z.string().optional().meta({ description: 'Path or URL of this JSON Schema, for editors. Ignored.' }),
  name: identifier.meta({
    description:
      'Experiment name, used in workflow ids, blob keys and search attributes (lower-case, digits, hyphens).',
  }),
  description: z.string().optional().meta({ description: 'Free text shown in reports.' }),
  seed: z
    .int()
    .min(0)
    .max(0xffffffff)
    .default(0)
    .meta({ description: 'Seed of every random choice (data order, sampling, init); same seed, same run. Default 0.' }),
  template: templateSchema.prefault({}),
  model: modelSchema,
  rollout: rolloutSchema.prefault({}),
  rewards: rewardsSchema.prefault({}),
  grpo: grpoSchema.prefault({}),
  window: windowSchema.prefault({ type: 'steps', steps: GZ_WINDOW_STEPS.map((s) => ({ ...s })) }).meta({
    description:
      'Response window schedule over global steps. Default: step-wise 2048 → 4096 → 8192 → 16384 → 24576 at steps 0/100/200/300/400 (GZ §4.1 range; the steps are ours).',
  }),
  tasks: tasksSchema,
  schedule: scheduleSchema.prefault({ kind: 'curriculum' }).meta({
    description:
      'Default: a curriculum over every task in the order code → math → stem → qa → writing (OT §3.2); needs stepsPerStage.',
  }),
  evaluation: evaluationSchema.prefault({}),
  checkpoint: checkpointSchema.prefault({}),
  orchestration: orchestrationSchema.prefault({}),
  // No default: a config without trackers keeps the hash it had before trackers existed.
  tracking: trackingSchema.optional(),
});

type Sections = z.output<typeof sections>;
type Ctx = z.RefinementCtx;

function unknownTaskMessage(name: string, tasks: Sections['tasks']): string {
  const known = Object.keys(tasks);
  const suggestion = didYouMean(name, known);
  return `unknown task '${name}'${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}; tasks defined: ${known.join(', ')}`;
}

function checkSchedule(c: Sections, ctx: Ctx): void {
  const s = c.schedule;
  if (s.stages === undefined) {
    if (s.stepsPerStage === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['schedule', 'stepsPerStage'],
        message: 'required when stages are not listed: the step budget of each derived stage',
      });
    return;
  }
  if (s.kind === 'joint' && s.stages.length !== 1)
    ctx.addIssue({
      code: 'custom',
      path: ['schedule', 'stages'],
      message: `joint training is one stage mixing tasks (got ${s.stages.length}); use kind: curriculum for a sequence`,
    });
  const seen = new Map<string, number>();
  s.stages.forEach((stage, i) => {
    const at = (...rest: (string | number)[]) => ['schedule', 'stages', i, ...rest];
    const first = seen.get(stage.name);
    if (first !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: at('name'),
        message: `duplicate stage name '${stage.name}' (also stages[${first}])`,
      });
    else seen.set(stage.name, i);
    if (s.kind === 'curriculum' && stage.tasks.length !== 1)
      ctx.addIssue({
        code: 'custom',
        path: at('tasks'),
        message: `a curriculum stage trains exactly one task (OT §3.2), got ${stage.tasks.length}; use kind: joint to mix tasks`,
      });
    const inStage = new Set<string>();
    stage.tasks.forEach((entry, j) => {
      if (!(entry.task in c.tasks))
        ctx.addIssue({
          code: 'custom',
          path: at('tasks', j, 'task'),
          message: unknownTaskMessage(entry.task, c.tasks),
        });
      if (inStage.has(entry.task))
        ctx.addIssue({
          code: 'custom',
          path: at('tasks', j, 'task'),
          message: `task '${entry.task}' is listed twice in this stage`,
        });
      inStage.add(entry.task);
    });
    if (stage.steps === undefined && s.stepsPerStage === undefined)
      ctx.addIssue({
        code: 'custom',
        path: at('steps'),
        message: 'required: give this stage a step budget, or set schedule.stepsPerStage',
      });
    for (const task of Object.keys(stage.kl?.perTask ?? {}))
      if (!inStage.has(task))
        ctx.addIssue({
          code: 'custom',
          path: at('kl', 'perTask', task),
          message: `task '${task}' is not trained in this stage`,
        });
  });
}

function checkReferences(c: Sections, ctx: Ctx): void {
  for (const task of Object.keys(c.grpo.kl.perTask))
    if (!(task in c.tasks))
      ctx.addIssue({
        code: 'custom',
        path: ['grpo', 'kl', 'perTask', task],
        message: unknownTaskMessage(task, c.tasks),
      });
  for (const task of Object.keys(c.evaluation.perTask))
    if (!(task in c.tasks))
      ctx.addIssue({
        code: 'custom',
        path: ['evaluation', 'perTask', task],
        message: unknownTaskMessage(task, c.tasks),
      });
}

function checkJudge(c: Sections, ctx: Ctx): void {
  if (c.rewards.judge !== undefined) return;
  for (const [name, task] of Object.entries(c.tasks))
    if (task.scorer === 'judge')
      ctx.addIssue({
        code: 'custom',
        path: ['rewards', 'judge'],
        message: `required: task '${name}' is scored by the judge; configure rewards.judge (baseURL, model) or set tasks.${name}.scorer: constraints`,
      });
  if (c.rewards.modelVerifier.enabled)
    ctx.addIssue({
      code: 'custom',
      path: ['rewards', 'judge'],
      message: 'required: rewards.modelVerifier asks the judge; configure rewards.judge or disable the verifier',
    });
}

function checkBatching(c: Sections, ctx: Ctx): void {
  const prompts = c.rollout.promptsPerStep;
  const mini = c.grpo.miniBatchSize ?? prompts;
  if (mini > prompts || prompts % mini !== 0)
    ctx.addIssue({
      code: 'custom',
      path: ['grpo', 'miniBatchSize'],
      message: `must divide rollout.promptsPerStep (${prompts})`,
    });
  const sequences = mini * c.rollout.groupSize;
  if (sequences % c.grpo.gradientAccumulation !== 0)
    ctx.addIssue({
      code: 'custom',
      path: ['grpo', 'gradientAccumulation'],
      message: `must divide the responses per mini-batch (miniBatchSize ${mini} × groupSize ${c.rollout.groupSize} = ${sequences})`,
    });
  // A group of one response is never kept (rl/dynamic-sampling.ts), so every step would draw maxBatches and train on none.
  if (c.grpo.dynamicSampling.enabled && c.rollout.groupSize < 2)
    ctx.addIssue({
      code: 'custom',
      path: ['grpo', 'dynamicSampling', 'enabled'],
      message:
        'needs rollout.groupSize of at least 2: it keeps groups whose rewards differ, and one response never differs',
    });
}

function checkModel(c: Sections, ctx: Ctx): void {
  if (c.grpo.learningRate === undefined && c.model.preset === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['grpo', 'learningRate'],
      message:
        'required when model has no preset: the rate belongs to the model size (GZ uses 1e-6 for 8–14B models; tiny models need ~1e-3)',
    });
  const shape = c.model.shape;
  const tok = c.model.tokenizer;
  if (shape !== undefined && tok.type === 'byte') {
    const needed = 256 + BYTE_SPECIALS + (tok.tagTokens ? BYTE_TAG_TOKENS : 0);
    if (shape.vocabSize < needed)
      ctx.addIssue({
        code: 'custom',
        path: ['model', 'shape', 'vocabSize'],
        message: `must be at least ${needed} for the byte tokenizer (256 bytes + specials${tok.tagTokens ? ' + tag tokens' : ''})`,
      });
  }
  const maxPositions =
    shape?.maxPositions ?? (c.model.preset === undefined ? undefined : MODEL_PRESETS[c.model.preset].maxPositions);
  if (maxPositions === undefined) return;
  const limitName = shape === undefined ? `the '${c.model.preset}' preset's maxPositions` : 'model.shape.maxPositions';
  const promptLimits = Object.values(c.tasks).map((t) => t.filters.maxPromptTokens);
  const longestPrompt = promptLimits.every((p) => typeof p === 'number') ? Math.max(...(promptLimits as number[])) : 0;
  const windows: [(string | number)[], number][] = [[['window'], maxWindow(c.window)]];
  c.schedule.stages?.forEach((stage, i) => {
    if (stage.window !== undefined) windows.push([['schedule', 'stages', i, 'window'], maxWindow(stage.window)]);
  });
  if (c.evaluation.maxTokens !== undefined) windows.push([['evaluation', 'maxTokens'], c.evaluation.maxTokens]);
  for (const [path, tokens] of windows)
    if (tokens + longestPrompt > maxPositions)
      ctx.addIssue({
        code: 'custom',
        path,
        message: `reaches ${tokens} response tokens${longestPrompt > 0 ? ` + ${longestPrompt} prompt tokens` : ''}, beyond ${limitName} (${maxPositions}): lower the window${longestPrompt > 0 ? " or the tasks' filters.maxPromptTokens" : ''}`,
      });
}

/** Fills what other sections decide: the learning rate from the preset, the mini-batch, the stages and their steps. */
function resolve(c: Sections) {
  const s = c.schedule;
  const tasks = Object.entries(c.tasks);
  const derived =
    s.kind === 'joint'
      ? [{ name: 'joint', tasks: tasks.map(([task, t]) => ({ task, weight: t.weight })) }]
      : tasks
          .map(([task, t], index) => ({ task, rank: CURRICULUM_ORDER.indexOf(t.kind), index }))
          .sort((a, b) => a.rank - b.rank || a.index - b.index)
          .map(({ task }) => ({ name: task, tasks: [{ task, weight: 1 }] }));
  type Listed = NonNullable<Sections['schedule']['stages']>[number];
  const listed: Listed[] = s.stages ?? derived;
  // checkSchedule has ensured each stage has steps or stepsPerStage is set.
  const stages = listed.map((stage) => ({ ...stage, steps: (stage.steps ?? s.stepsPerStage) as number }));
  // $schema only points editors at the JSON Schema; dropping it keeps it out of the config hash.
  const { $schema: _editorHint, ...rest } = c;
  return {
    ...rest,
    grpo: {
      ...c.grpo,
      learningRate: c.grpo.learningRate ?? MODEL_PRESETS[c.model.preset!].learningRate,
      miniBatchSize: c.grpo.miniBatchSize ?? c.rollout.promptsPerStep,
    },
    schedule: { ...s, stages },
    evaluation: {
      ...c.evaluation,
      maxTokens:
        c.evaluation.maxTokens ??
        Math.max(maxWindow(c.window), ...stages.map((x) => (x.window === undefined ? 0 : maxWindow(x.window)))),
    },
  };
}

export const experimentSchema = sections
  .superRefine((c, ctx) => {
    checkSchedule(c, ctx);
    checkReferences(c, ctx);
    checkJudge(c, ctx);
    checkBatching(c, ctx);
    checkModel(c, ctx);
  })
  .transform(resolve)
  .meta({
    title: 'omni-zero experiment',
    description:
      'One experiment: model, template, rewards, GRPO, window, tasks and their schedule, evaluation, checkpoints, orchestration, trackers.',
  });

/** A validated config with every default applied: what workflows, activities and libraries receive. */
export type ExperimentConfig = z.output<typeof experimentSchema>;
/** What a person writes: every field with a default may be omitted. */
export type ExperimentConfigInput = z.input<typeof experimentSchema>;
export type Stage = ExperimentConfig['schedule']['stages'][number];
export type TaskConfig = ExperimentConfig['tasks'][string];
