/**
 * A small seeded PRNG (mulberry32 seeded by an FNV-1a hash of the key). `rl/` exported no `seededRandom` when the
 * reward verifiers were written; this one lives here so the QA prompt shuffle and the math sampler are reproducible
 * from a seed without any global state.
 */

/** FNV-1a, 32-bit, of the UTF-16 code units of `key`. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Uniform numbers in [0, 1), the same sequence for the same seed (a number seed `n` is the same as the string `"n"`). */
export function seededRandom(seed: number | string): () => number {
  let a = hashKey(String(seed));
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
