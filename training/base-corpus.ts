/**
 * The demo base's pretraining corpus: the union of a config's synthetic worlds' corpora with systematic noise, each
 * pair rendered by `Policy.promptText` for the config's template, so a base is pretrained on exactly the text the RL
 * loop asks it. `omni-zero pretrain-base` makes models/demo-base from it; continued pretraining goes on with it.
 */
import { createHash } from 'node:crypto';
import { worldPretrainCorpus } from '../data/worlds/index.ts';
import type { Policy } from '../engine/policy.ts';
import type { PromptResponse } from '../engine/train/batch.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { templateOf } from './policy-config.ts';

export interface BaseCorpusOptions {
  /** Corpus pairs drawn per world. */
  perWorld: number;
  /** Probability that a pair whose problem triggers its world's systematic error carries it. */
  noise: number;
  /** Seed of the corpus draw. */
  seed: number;
  /** Per-world multipliers of perWorld (others 1); keyed by world. */
  worldWeights?: Record<string, number>;
}

/** models/demo-base's corpus size and noise per world (its omni.json `settings`). */
export const BASE_CORPUS_DEFAULTS = { perWorld: 4000, noise: 0.6 } as const;

/**
 * The corpus multipliers models/demo-base was made with (omni.json `settings.worldWeights`): examples/demo.yaml's math
 * task draws from the `arith` world, and arithmetic needs the most examples to generalise (at 1× an 800-step base
 * scored 0 % on held-out math). Code at ½ leaves the base's code where a shorter pretraining left it, with errors
 * in families it can still sample right (square, max), while math and qa get the longer pretraining's room
 * (docs/RESULTS.md, "Gains per domain"). Keyed by world, not by task.
 */
export const DEFAULT_WORLD_WEIGHTS: Readonly<Record<string, number>> = Object.freeze({ arith: 3, code: 0.5 });

/** The synthetic worlds a config's tasks draw from (a task's `source.world`, default its name), in task order. */
export function configWorlds(config: Pick<ExperimentConfig, 'tasks'>): string[] {
  const worlds: string[] = [];
  for (const [task, spec] of Object.entries(config.tasks)) {
    if (spec.source.type === 'synthetic') worlds.push(spec.source.world ?? task);
  }
  return worlds;
}

/** The union of the config's synthetic worlds' corpora, tokenised exactly as the RL loop prompts the policy. */
export function baseCorpus(
  policy: Policy,
  config: ExperimentConfig,
  o: BaseCorpusOptions
): { examples: PromptResponse[]; bugs: number; perWorld: Record<string, number> } {
  const worlds = configWorlds(config);
  for (const w of Object.keys(o.worldWeights ?? {})) {
    if (!worlds.includes(w))
      throw new Error(
        `--world-weights names world '${w}', but no synthetic task of the config draws from it (its worlds: ${worlds.join(', ')})`
      );
  }
  const template = templateOf(config);
  const examples: PromptResponse[] = [];
  const perWorld: Record<string, number> = {};
  let bugs = 0;
  for (const [task, spec] of Object.entries(config.tasks)) {
    const src = spec.source;
    if (src.type !== 'synthetic') continue;
    const world = src.world ?? task;
    // The world's seed is the one data preparation uses (a QA world's fact table depends on it); the corpus stream
    // is mixed with our own seed so the draw is ours.
    const worldSeed = src.seed ?? config.seed;
    const n = Math.round(o.perWorld * (o.worldWeights?.[world] ?? 1));
    const pairs = worldPretrainCorpus(world, worldSeed, n, {
      noise: o.noise,
      thinkTag: template.thinkTag,
      answerTag: template.answerTag,
    });
    perWorld[world] = pairs.length;
    for (const p of pairs) {
      if (p.bug) bugs++;
      const prompt = policy.encodePrompt(policy.promptText({ prompt: p.prompt }, template));
      const response = [...policy.tokenizer.encode(p.response), policy.tokenizer.eosId];
      examples.push({ prompt, response });
    }
  }
  if (examples.length === 0) throw new Error(`the config has no synthetic task to pretrain on`);
  return { examples, bugs, perWorld };
}

/** The corpus fingerprint omni.json records (`extra.corpus.sha256`): token ids of every pair, in order. */
export function corpusSha256(examples: readonly PromptResponse[]): string {
  const hash = createHash('sha256');
  for (const e of examples) hash.update(`${e.prompt.join(',')}|${e.response.join(',')}\n`);
  return hash.digest('hex');
}
