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
