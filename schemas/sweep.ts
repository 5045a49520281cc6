/**
 * A sweep: one base experiment and its variants (config overrides) × seeds, run as child experiments and compared on
 * the same held-out sets (DESIGN "Ablations as one durable run"; the comparisons of OT Table 1 and GZ §3.3).
 */
import { z } from 'zod';
import { identifier } from './experiment/primitives.ts';
import type { ExperimentConfig } from './experiment.ts';
import { type ConfigIssue, parseExperimentConfig, parseWith } from './parse.ts';

const variantSchema = z
  .strictObject({
    name: identifier.meta({ description: 'Variant name, unique in the sweep; a row of the comparison.' }),
    overrides: z.record(z.string(), z.unknown()).default({}).meta({
      description:
        'Experiment config fields this variant changes, merged into the base: objects key by key, lists and values replaced.',
    }),
  })
  .meta({ description: 'One arm of the comparison.' });

export const sweepSchema = z
  .strictObject({
    name: identifier.meta({ description: 'Sweep name; its runs are named <sweep run id>-<variant>-s<seed>.' }),
    experiment: z
      .record(z.string(), z.unknown())
      .meta({ description: 'The base experiment config (the CLI reads it from a file path given here).' }),
    variants: z
      .array(variantSchema)
      .min(1)
      .refine((vs) => new Set(vs.map((v) => v.name)).size === vs.length, { error: 'variant names must be unique' }),
    seeds: z
      .array(z.int().min(0))
      .min(1)
      .optional()
      .meta({
        description:
          "Each variant runs once per seed (the experiment `seed`). Default: the variant's own seed (its override, else the base config's).",
      }),
    concurrency: z.int().min(1).default(2).meta({ description: 'How many variant runs may train at once. Default 2.' }),
  })
  .meta({ description: 'A sweep of experiment variants × seeds, compared on held-out scores, BWT and wall time.' });

export type SweepConfig = z.output<typeof sweepSchema>;

/** One child run of a sweep: which variant, which seed, and its complete, validated experiment config. */
export interface SweepRun {
  variant: string;
  seed: number;
  /** The merged config as plain JSON (what the child workflow receives). */
  raw: Record<string, unknown>;
  config: ExperimentConfig;
}

export type SweepParse = { ok: true; sweep: SweepConfig; runs: SweepRun[] } | { ok: false; issues: ConfigIssue[] };

/** Validates a sweep and every run it expands to, listing all problems at once with the variant and seed. */
export function parseSweep(input: unknown): SweepParse {
  const parsed = parseWith(sweepSchema, input);
  if (!parsed.ok) return parsed;
  const sweep = parsed.config;
  const issues: ConfigIssue[] = [];
  const runs: SweepRun[] = [];
  sweep.variants.forEach((variant, i) => {
    const merged = applyOverrides(sweep.experiment, variant.overrides);
    if (sweep.seeds && 'seed' in variant.overrides) {
      issues.push({
        path: `variants[${i}] (${variant.name}) overrides.seed`,
        message: "the sweep sets each run's seed from `seeds`: remove seed from the overrides, or drop `seeds`",
      });
      return;
    }
    const seeds = sweep.seeds ?? [typeof merged.seed === 'number' ? merged.seed : 0];
    for (const seed of seeds) {
      const raw = { ...merged, seed };
      const result = parseExperimentConfig(raw);
      if (result.ok) runs.push({ variant: variant.name, seed, raw, config: result.config });
      else
        for (const issue of result.issues)
          issues.push({
            path: `variants[${i}] (${variant.name}, seed ${seed}) ${issue.path || '(config)'}`,
            message: issue.message,
          });
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, sweep, runs };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `overrides` merged into `base`: objects key by key, anything else (lists, values, null) replaces. */
export function applyOverrides(
  base: Record<string, unknown>,
  overrides: Record<string, unknown>
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? applyOverrides(current, value) : value;
  }
  return out;
}

/** The child run id of one variant and seed: deterministic, so a retried start finds the run it already began. */
export function sweepRunId(sweepId: string, variant: string, seed: number): string {
  return `${sweepId}-${variant}-s${seed}`;
}
