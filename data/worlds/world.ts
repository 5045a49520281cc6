/**
 * What every world shares: seeded draws of distinct problems, the fixed train / held-out partition, rows, and the
 * pretraining corpus. The partition is a hash of the prompt alone (not of the seed), so a held-out prompt is never in
 * any training split or pretraining corpus, whatever seeds and sizes are used.
 */
import { hashSeed, mulberry32, nameHash } from '../../rl/random.ts';
import { type DatasetRow, datasetRowSchema } from '../../schemas/records/dataset-row.ts';
import { DataInputError } from '../errors.ts';
import type { CorpusOptions, CorpusPair, Problem, TaskWorld, WorldGenerateOptions, WorldSpec } from './types.ts';

/** One prompt in this many belongs to the held-out pool. */
export const HELD_OUT_ONE_IN = 8;
/** Draws allowed per requested row before the world is declared too small for the request. */
const ATTEMPTS_PER_ROW = 60;
const MAX_MISSES = 20_000;

/** Whether a prompt belongs to the held-out pool of its world (seed-independent). */
export function inHeldOutPool(world: string, prompt: string): boolean {
  return nameHash(`${world}\u0000${prompt}`) % HELD_OUT_ONE_IN === 0;
}

const STREAM_TRAIN = 1;
const STREAM_HELD_OUT = 2;
const STREAM_CORPUS = 3;

function distinct(world: WorldSpec, seed: number, stream: number, n: number, heldOut: boolean): Problem[] {
  const random = mulberry32(hashSeed(nameHash(world.name), seed, stream));
  const seen = new Set<string>();
  const out: Problem[] = [];
  const limit = ATTEMPTS_PER_ROW * n + 1000;
  // A world nearly exhausted yields a new prompt rarely: give up after this many draws without one.
  let misses = 0;
  for (let attempt = 0; out.length < n && attempt < limit && misses < MAX_MISSES; attempt++) {
    const p = world.problem(random, seed);
    if (seen.has(p.prompt) || inHeldOutPool(world.name, p.prompt) !== heldOut) {
      misses++;
      continue;
    }
    misses = 0;
    seen.add(p.prompt);
    out.push(p);
  }
  if (out.length < n) {
    throw new DataInputError(
      `world ${world.name}`,
      `found only ${out.length} distinct ${heldOut ? 'held-out' : 'training'} prompts of the ${n} asked for; ask for fewer`
    );
  }
  return out;
}

function toRow(world: WorldSpec, p: Problem, id: string, task: string, seed: number): DatasetRow {
  return datasetRowSchema.parse({
    id,
    task,
    kind: world.kind,
    prompt: p.prompt,
    ...Object.fromEntries(Object.entries(p.fields).filter(([, v]) => v !== undefined)),
    meta: { world: world.name, seed, family: p.family, gold: p.answer },
  });
}

/** Training and held-out rows of a world: distinct prompts, disjoint splits, deterministic in the seed. */
export function generateWorld(
  world: WorldSpec,
  opts: WorldGenerateOptions
): { train: DatasetRow[]; heldOut: DatasetRow[] } {
  for (const k of ['trainSize', 'heldOutSize', 'seed'] as const) {
    if (!Number.isSafeInteger(opts[k]) || opts[k] < 0)
      throw new DataInputError(k, `must be a whole number ≥ 0, got ${opts[k]}`);
  }
  const task = opts.task ?? world.name;
  const train = distinct(world, opts.seed, STREAM_TRAIN, opts.trainSize, false);
  const heldOut = distinct(world, opts.seed, STREAM_HELD_OUT, opts.heldOutSize, true);
  return {
    train: train.map((p, i) => toRow(world, p, `${world.name}-train-${i}`, task, opts.seed)),
    heldOut: heldOut.map((p, i) => toRow(world, p, `${world.name}-heldout-${i}`, task, opts.seed)),
  };
}

export function templated(think: string, answer: string, opts: CorpusOptions = {}): string {
  const t = opts.thinkTag ?? 'think';
  const a = opts.answerTag ?? 'answer';
  return `<${t}>${think}</${t}><${a}>${answer}</${a}>`;
}

/**
 * `n` prompt/response pairs drawn from the training pool only (prompts may repeat, as in any corpus). An example whose
 * problem triggers its family's bug carries the bug with probability `noise`.
 */
export function pretrainCorpus(world: WorldSpec, seed: number, n: number, opts: CorpusOptions = {}): CorpusPair[] {
  const noise = opts.noise ?? 0;
  if (!(noise >= 0 && noise <= 1)) throw new DataInputError('noise', `must be in [0, 1], got ${noise}`);
  if (!Number.isSafeInteger(n) || n < 0) throw new DataInputError('n', `must be a whole number ≥ 0, got ${n}`);
  const random = mulberry32(hashSeed(nameHash(world.name), seed, STREAM_CORPUS));
  const out: CorpusPair[] = [];
  for (let guard = 0; out.length < n && guard < ATTEMPTS_PER_ROW * n + 1000; guard++) {
    const p = world.problem(random, seed);
    if (inHeldOutPool(world.name, p.prompt)) continue;
    // Always draw, so the sequence of problems does not depend on the noise level.
    const flip = random() < noise;
    if (p.bug && flip) {
      out.push({ prompt: p.prompt, response: templated(p.bug.think ?? p.think, p.bug.answer, opts), bug: p.bug.name });
    } else out.push({ prompt: p.prompt, response: templated(p.think, p.answer, opts) });
  }
  return out;
}

/** Helpers for the worlds' generators. */
export const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];
export const int = (random: () => number, lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

/** A world file's spec with its splits and corpus attached (what the registry holds). */
export function defineWorld(spec: WorldSpec): TaskWorld {
  return {
    ...spec,
    generate: (opts) => generateWorld(spec, opts),
    pretrainCorpus: (seed, n, opts) => pretrainCorpus(spec, seed, n, opts),
  };
}
