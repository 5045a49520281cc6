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

/** Optimiser steps per fine-tuning activity of the RFT and continued-pretraining baselines. */
export const FINE_TUNE_STEPS_PER_CHUNK = 10;

const stepsPerChunk = z
  .int()
  .min(1)
  .default(FINE_TUNE_STEPS_PER_CHUNK)
  .meta({
    description: `Optimiser steps per training activity (each ends in a policy snapshot). Default ${FINE_TUNE_STEPS_PER_CHUNK}.`,
  });
const fineTuneRate = z
  .number()
  .gt(0)
  .optional()
  .meta({ description: "Learning rate of the next-token training. Default: the RL run's (grpo.learningRate)." });

const rftSchema = z
  .strictObject({
    k: z.int().min(1).default(128).meta({
      description:
        'Responses sampled from the base per training prompt. Default 128 (OT §4.3); the demo affords fewer.',
    }),
    judgedThreshold: z.number().min(0).max(1).default(1).meta({
      description:
        'A judged or constraint-scored response is kept when its score on the held-out scale (constraints met, judge grade, pairwise win) reaches this. Default 1: full marks. Verifiable tasks keep verifier passes.',
    }),
    learningRate: fineTuneRate,
    stepsPerChunk,
  })
  .meta({
    description:
      "Rejection-sampling fine-tuning (OT §4.3's SFT baseline) instead of RL: k responses per training prompt from the base, the correct ones kept, next-token fine-tuning on them with the RL run's update budget.",
  });

const pretrainSchema = z
  .strictObject({
    sameWallTimeAs: identifier.meta({
      description: 'The trained (GRPO) variant whose wall time this run gets, per seed; it runs after that one ends.',
    }),
    batchSize: z
      .int()
      .min(1)
      .default(32)
      .meta({ description: 'Sequences per optimiser step. Default 32 (what models/demo-base was pretrained with).' }),
    learningRate: fineTuneRate,
    stepsPerChunk,
  })
  .meta({
    description:
      "Continued pretraining instead of RL: the base's pretraining objective on its pretraining corpus (the synthetic worlds'), for the same wall time as a named variant.",
  });

const variantSchema = z
  .strictObject({
    name: identifier.meta({ description: 'Variant name, unique in the sweep; a row of the comparison.' }),
    overrides: z.record(z.string(), z.unknown()).default({}).meta({
      description:
        'Experiment config fields this variant changes, merged into the base: objects key by key, lists and values replaced.',
    }),
    merge: mergeSchema.optional(),
    rft: rftSchema.optional(),
    pretrain: pretrainSchema.optional(),
  })
  .refine((v) => [v.merge, v.rft, v.pretrain].filter((x) => x !== undefined).length <= 1, {
    error: 'a variant is one baseline at most: give only one of merge, rft, pretrain',
  })
  .meta({
    description:
      'One arm of the comparison: a trained run, or a baseline: `merge` of other arms, `rft`, or continued `pretrain`.',
  });

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
  /** An RFT variant's run: its options (schema defaults filled). */
  rft?: z.output<typeof rftSchema>;
  /** A continued-pretraining variant's run: its options, and the index of the run whose wall time it gets. */
  pretrain?: z.output<typeof pretrainSchema> & { source: number };
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
      if (result.ok)
        runs.push({
          variant: variant.name,
          seed,
          raw,
          config: result.config,
          ...(variant.rft ? { rft: variant.rft } : {}),
        });
      else
        for (const issue of result.issues)
          issues.push({
            path: `variants[${i}] (${variant.name}, seed ${seed}) ${issue.path || '(config)'}`,
            message: issue.message,
          });
    }
  });
  if (issues.length === 0) {
    linkMerges(sweep, runs, issues);
    linkPretrains(sweep, runs, issues);
  }
  if (issues.length > 0) return { ok: false, issues };
  const startOrder = runs
    .map((_, i) => i)
    .sort((a, b) => depths.of(runs[a].variant) - depths.of(runs[b].variant) || a - b);
  return { ok: true, sweep, runs, startOrder };
}

/**
 * How many baselines deep each variant is (0: trained; a merge or a pretrain run after the runs it waits for), with
 * every `merge.of` and `pretrain.sameWallTimeAs` checked: it must name other variants of the sweep, a pretrain run a
 * trained one, and no chain of merges may come back to itself.
 */
function mergeDepths(
  variants: SweepConfig['variants']
): { ok: true; of: (name: string) => number } | { ok: false; issues: ConfigIssue[] } {
  const byName = new Map(variants.map((v, i) => [v.name, { v, i }]));
  const issues: ConfigIssue[] = [];
  variants.forEach((v, i) => {
    const field = v.pretrain ? 'pretrain.sameWallTimeAs' : 'merge.of';
    for (const name of dependencies(v))
      if (!byName.has(name))
        issues.push({
          path: `variants[${i}] (${v.name}) ${field}`,
          message: `no variant '${name}' in this sweep (variants: ${variants.map((x) => x.name).join(', ')})`,
        });
    const source = v.pretrain && byName.get(v.pretrain.sameWallTimeAs)?.v;
    if (source && (source.merge || source.rft || source.pretrain))
      issues.push({
        path: `variants[${i}] (${v.name}) pretrain.sameWallTimeAs`,
        message: `'${source.name}' is a baseline, not an RL run: name a trained variant`,
      });
  });
  if (issues.length > 0) return { ok: false, issues };
  const depth = new Map<string, number>();
  const visit = (name: string, path: string[]): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (path.includes(name)) throw [...path.slice(path.indexOf(name)), name];
    const variant = byName.get(name)?.v;
    const of = variant ? dependencies(variant) : [];
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

/** The variants a variant's runs wait for: a merge's sources, the run whose wall time a pretrain run gets. */
function dependencies(v: SweepConfig['variants'][number]): string[] {
  return v.merge?.of ?? (v.pretrain ? [v.pretrain.sameWallTimeAs] : []);
}

/** Each continued-pretraining run's compared run: the run of its `sameWallTimeAs` variant with its seed. */
function linkPretrains(sweep: SweepConfig, runs: SweepRun[], issues: ConfigIssue[]): void {
  for (const run of runs) {
    const i = sweep.variants.findIndex((v) => v.name === run.variant);
    const pretrain = sweep.variants[i].pretrain;
    if (!pretrain) continue;
    const source = runs.findIndex((r) => r.variant === pretrain.sameWallTimeAs && r.seed === run.seed);
    if (source < 0) {
      issues.push({
        path: `variants[${i}] (${run.variant}, seed ${run.seed}) pretrain.sameWallTimeAs`,
        message: `'${pretrain.sameWallTimeAs}' has no run with seed ${run.seed}: give the sweep \`seeds\``,
      });
      continue;
    }
    run.pretrain = { ...pretrain, source };
  }
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
