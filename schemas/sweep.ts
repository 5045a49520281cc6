/**
 * A sweep: one base experiment and its variants (config overrides) × seeds, run as child experiments and compared on
 * the same held-out sets (DESIGN "Ablations as one durable run"; the comparisons of OT Table 1 and GZ §3.3).
 */
import { z } from 'zod';
import { identifier } from './experiment/primitives.ts';
import type { ExperimentConfig } from './experiment.ts';
import { type ConfigIssue, parseExperimentConfig, parseWith } from './parse.ts';

const mergeSchema = z
  .strictObject({
    of: z
      .array(identifier)
      .min(2, { error: 'a merge needs at least two variants' })
      .refine((of) => new Set(of).size === of.length, { error: 'merge.of names a variant twice' })
      .meta({ description: "The variants whose runs' best checkpoints are merged (per seed: the runs of that seed)." }),
    density: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .meta({ description: "Fraction of each task vector kept by magnitude (TIES' k). Default 0.2." }),
    lambda: z.number().optional().meta({ description: 'Scale of the merged task vector. Default 1 (OT §4.3).' }),
  })
  .meta({
    description:
      "TIES-merging (Yadav et al. 2023) of other variants' runs instead of training: the merged model is evaluated like a run.",
  });

const variantSchema = z
  .strictObject({
    name: identifier.meta({ description: 'Variant name, unique in the sweep; a row of the comparison.' }),
    overrides: z.record(z.string(), z.unknown()).default({}).meta({
      description:
        'Experiment config fields this variant changes, merged into the base: objects key by key, lists and values replaced.',
    }),
    merge: mergeSchema.optional(),
  })
  .meta({ description: 'One arm of the comparison: a trained run, or with `merge` a merge of other arms.' });

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
    seeds: z.array(z.int().min(0)).min(1).optional().meta({
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
  /** A merge variant's run: the indexes (in `runs`) of the runs it merges, and the TIES options. */
  merge?: { sources: number[]; density?: number; lambda?: number };
}

export type SweepParse =
  | {
      ok: true;
      sweep: SweepConfig;
      /** In the order the variants are listed (the comparison's rows). */
      runs: SweepRun[];
      /** Indexes of `runs` in the order to start them: every merge after the runs it merges. */
      startOrder: number[];
    }
  | { ok: false; issues: ConfigIssue[] };

/** Validates a sweep and every run it expands to, listing all problems at once with the variant and seed. */
export function parseSweep(input: unknown): SweepParse {
  const parsed = parseWith(sweepSchema, input);
  if (!parsed.ok) return parsed;
  const sweep = parsed.config;
  const depths = mergeDepths(sweep.variants);
  if (!depths.ok) return depths;
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
  if (issues.length === 0) linkMerges(sweep, runs, issues);
  if (issues.length > 0) return { ok: false, issues };
  const startOrder = runs
    .map((_, i) => i)
    .sort((a, b) => depths.of(runs[a].variant) - depths.of(runs[b].variant) || a - b);
  return { ok: true, sweep, runs, startOrder };
}

/**
 * How many merges deep each variant is (0: trained), with every `merge.of` checked: it must name other variants of
 * the sweep, and no chain of merges may come back to itself.
 */
function mergeDepths(
  variants: SweepConfig['variants']
): { ok: true; of: (name: string) => number } | { ok: false; issues: ConfigIssue[] } {
  const byName = new Map(variants.map((v, i) => [v.name, { v, i }]));
  const issues: ConfigIssue[] = [];
  variants.forEach((v, i) => {
    for (const name of v.merge?.of ?? [])
      if (!byName.has(name))
        issues.push({
          path: `variants[${i}] (${v.name}) merge.of`,
          message: `no variant '${name}' in this sweep (variants: ${variants.map((x) => x.name).join(', ')})`,
        });
  });
  if (issues.length > 0) return { ok: false, issues };
  const depth = new Map<string, number>();
  const visit = (name: string, path: string[]): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (path.includes(name)) throw [...path.slice(path.indexOf(name)), name];
    const of = byName.get(name)?.v.merge?.of ?? [];
    const d = of.length === 0 ? 0 : 1 + Math.max(...of.map((x) => visit(x, [...path, name])));
    depth.set(name, d);
    return d;
  };
  for (const v of variants) {
    try {
      visit(v.name, []);
    } catch (cycle) {
      const { i } = byName.get(v.name)!;
      return {
        ok: false,
        issues: [
          {
            path: `variants[${i}] (${v.name}) merge.of`,
            message: `merges form a cycle: ${(cycle as string[]).join(' → ')}; a merge can only take trained variants or earlier merges`,
          },
        ],
      };
    }
  }
  return { ok: true, of: (name) => depth.get(name) ?? 0 };
}

/**
 * Whether two runs start from the same base policy: the same model section, and — for fresh weights, which are drawn
 * from the seed — the same seed. Task vectors (TIES) are only defined between models fine-tuned from one base.
 */
export function sameBaseModel(a: ExperimentConfig, b: ExperimentConfig): boolean {
  return JSON.stringify(a.model) === JSON.stringify(b.model) && (a.model.checkpoint !== undefined || a.seed === b.seed);
}

/** Each merge run's sources: the runs of its `of` variants with its seed, which must start from its base model. */
function linkMerges(sweep: SweepConfig, runs: SweepRun[], issues: ConfigIssue[]): void {
  for (const run of runs) {
    const i = sweep.variants.findIndex((v) => v.name === run.variant);
    const merge = sweep.variants[i].merge;
    if (!merge) continue;
    const at = `variants[${i}] (${run.variant}, seed ${run.seed}) merge.of`;
    const sources: number[] = [];
    for (const name of merge.of) {
      const j = runs.findIndex((r) => r.variant === name && r.seed === run.seed);
      if (j < 0) {
        issues.push({ path: at, message: `'${name}' has no run with seed ${run.seed}: give the sweep \`seeds\`` });
        continue;
      }
      if (!sameBaseModel(runs[j].config, run.config))
        issues.push({
          path: at,
          message: `'${name}' starts from another model than this merge: drop its model overrides`,
        });
      sources.push(j);
    }
    run.merge = {
      sources,
      ...(merge.density === undefined ? {} : { density: merge.density }),
      ...(merge.lambda === undefined ? {} : { lambda: merge.lambda }),
    };
  }
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
