/** `window`: the maximum response length in force at each step (GZ §4.1, after OctoThinker; SPEC §5). */
import { z } from 'zod';
import { count, positiveCount, strict } from './primitives.ts';

/**
 * GZ grows the window from 2,048 to 24,576 tokens over ~700 steps but does not print the schedule; this doubling
 * schedule is our choice (documented in docs/config.md).
 */
export const GZ_WINDOW_STEPS = [
  { fromStep: 0, maxTokens: 2048 },
  { fromStep: 100, maxTokens: 4096 },
  { fromStep: 200, maxTokens: 8192 },
  { fromStep: 300, maxTokens: 16384 },
  { fromStep: 400, maxTokens: 24576 },
] as const;

const stepsWindow = strict({
  type: z.literal('steps').meta({ description: 'Step-wise schedule.' }),
  steps: z
    .array(
      strict({
        fromStep: count.meta({ description: 'First step at which this window is in force.' }),
        maxTokens: positiveCount.meta({ description: 'Maximum response tokens from that step on.' }),
      })
    )
    .min(1)
    .meta({
      description: 'Step-wise schedule, starting at step 0, fromStep strictly increasing, maxTokens non-decreasing.',
    }),
})
  .superRefine((w, ctx) => {
    // Refinements run even when .min(1) failed: an empty list has its issue already.
    if (w.steps.length > 0 && w.steps[0].fromStep !== 0)
      ctx.addIssue({
        code: 'custom',
        path: ['steps', 0, 'fromStep'],
        message: 'must be 0: the window must be defined from the first step',
      });
    for (let i = 1; i < w.steps.length; i++) {
      const previous = w.steps[i - 1];
      const current = w.steps[i];
      if (current.fromStep <= previous.fromStep)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'fromStep'],
          message: `must be greater than the previous entry's fromStep (${previous.fromStep})`,
        });
      if (current.maxTokens < previous.maxTokens)
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'maxTokens'],
          message: `must not be below the previous entry's maxTokens (${previous.maxTokens}): the window only grows`,
        });
    }
  })
  .meta({ title: 'Step-wise window' });

const linearWindow = strict({
  type: z.literal('linear').meta({ description: 'Linear ramp.' }),
  from: positiveCount.meta({ description: 'Window up to startStep, tokens.' }),
  to: positiveCount.meta({ description: 'Window from endStep on, tokens.' }),
  startStep: count.default(0).meta({ description: 'Step where the ramp starts. Default 0.' }),
  endStep: positiveCount.meta({ description: 'Step where the ramp reaches `to`.' }),
})
  .superRefine((w, ctx) => {
    if (w.to < w.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must be ≥ from (${w.from}): the window only grows` });
    if (w.endStep <= w.startStep)
      ctx.addIssue({ code: 'custom', path: ['endStep'], message: `must be greater than startStep (${w.startStep})` });
  })
  .meta({
    title: 'Linear ramp window',
    description: 'Linear from `from` at startStep to `to` at endStep (rounding rule: rl/ windowAt).',
  });

export const windowSchema = z.discriminatedUnion('type', [stepsWindow, linearWindow]).meta({
  title: 'Response window',
  description:
    "'steps' = [{fromStep, maxTokens}] or 'linear' ramp. Steps count from the start of the run (or of the stage, for a stage's own window).",
});

export type WindowSchedule = z.output<typeof windowSchema>;

/** A schedule laid out on global steps: the window is `maxTokens` for steps fromStep ≤ step < toStep. */
export interface WindowSegment {
  fromStep: number;
  toStep: number;
  maxTokens: number;
}

/** Largest window the schedule ever allows. */
export function maxWindow(window: WindowSchedule): number {
  return window.type === 'linear'
    ? Math.max(window.from, window.to)
    : Math.max(...window.steps.map((s) => s.maxTokens));
}
