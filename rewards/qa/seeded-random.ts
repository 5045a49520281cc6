/** A seeded stream keyed by a string, for the QA prompt shuffle and the math sampler (no global state). */
import { mulberry32, nameHash } from '../../rl/random.ts';

/** Uniform numbers in [0, 1), the same sequence for the same seed (a number seed `n` is the same as the string `"n"`). */
export function seededRandom(seed: number | string): () => number {
  return mulberry32(nameHash(String(seed)));
}
