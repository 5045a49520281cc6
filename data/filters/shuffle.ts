/** Seeded permutations for sampling: the same (seed, domain) always gives the same order, on every machine. */
import { hashSeed, mulberry32 } from '../../rl/random.ts';

/** Indices 0..n-1 in a Fisher–Yates order drawn from (seed, domain). */
export function seededOrder(n: number, seed: number, domain: number): number[] {
  const random = mulberry32(hashSeed(seed, domain));
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** FNV-1a of a string, for turning names (categories, worlds) into integer keys of hashSeed. */
export function nameHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
