/** Synthetic task worlds by name: a new world is one file plus one line here. */
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';
import { DataInputError } from '../errors.ts';
import { arithWorld } from './arith.ts';
import { codeWorld, induceWorld } from './code.ts';
import { mathWorld } from './math.ts';
import { qaWorld } from './qa.ts';
import type { CorpusOptions, CorpusPair, TaskWorld, WorldGenerateOptions } from './types.ts';
import { generateWorld, pretrainCorpus } from './world.ts';
import { writingWorld } from './writing.ts';

export const WORLDS: Record<string, TaskWorld> = {
  arith: arithWorld,
  code: codeWorld,
  induce: induceWorld,
  math: mathWorld,
  qa: qaWorld,
  writing: writingWorld,
};

export function worldByName(name: string): TaskWorld {
  const w = WORLDS[name];
  if (w === undefined)
    throw new DataInputError('world', `unknown world '${name}'; known: ${Object.keys(WORLDS).join(', ')}`);
  return w;
}

/** Training and held-out rows of the named world (see generateWorld). */
export function generateWorldRows(
  name: string,
  opts: WorldGenerateOptions
): { train: DatasetRow[]; heldOut: DatasetRow[] } {
  return generateWorld(worldByName(name), opts);
}

/** The named world's pretraining corpus (see pretrainCorpus in world.ts). */
export function worldPretrainCorpus(name: string, seed: number, n: number, opts: CorpusOptions = {}): CorpusPair[] {
  return pretrainCorpus(worldByName(name), seed, n, opts);
}

export type { CorpusOptions, CorpusPair, Problem, TaskWorld, WorldGenerateOptions, WorldSpec } from './types.ts';
export { defineWorld, generateWorld, HELD_OUT_ONE_IN, inHeldOutPool, pretrainCorpus } from './world.ts';
