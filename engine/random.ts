/**
 * Keyed pseudo-random streams for initialisation and pretraining batches: the same keys (numbers or strings, e.g.
 * a parameter's name) always give the same stream. Written before rl/ had a PRNG; the sampler uses rl/random.ts
 * (`mulberry32(hashSeed(seed, step, prompt, sample))`, integer keys reproducible from Python), this one stays for
 * string keys and 53-bit uniforms.
 *
 * Keys are hashed with a 32-bit mix (murmur3's finaliser per key) into sfc32's four words; sfc32 passes PractRand to
 * 2^42+ bytes, far beyond what a rollout draws.
 */
export type RandomKey = number | string;

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashKeys(keys: RandomKey[]): [number, number, number, number] {
  const words: [number, number, number, number] = [0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x3c6ef372];
  const absorb = (x: number) => {
    for (let i = 0; i < 4; i++) words[i] = mix32(words[i] ^ Math.imul(x + i, 0x27d4eb2f) ^ (words[(i + 3) % 4] >>> 7));
  };
  for (const key of keys) {
    if (typeof key === 'number') {
      if (!Number.isFinite(key)) throw new Error(`random key must be finite, got ${key}`);
      // Integers and fractions both hash all their bits: split into two 32-bit halves.
      const hi = Math.floor(key / 2 ** 32);
      absorb(key >>> 0);
      absorb(hi | 0);
      absorb(0x6e756d); // type tag: 1 and '1' are different keys
    } else {
      for (let i = 0; i < key.length; i++) absorb(key.charCodeAt(i));
      absorb(key.length ^ 0x737472);
    }
  }
  return words;
}

/** A stream of uniform doubles in [0, 1) determined by the keys. */
export function keyedRandom(...keys: RandomKey[]): () => number {
  let [a, b, c, d] = hashKeys(keys);
  const next32 = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  // 53 random bits so tiny probabilities in inverse-CDF sampling are still reachable.
  return () => (next32() * 2 ** 21 + (next32() >>> 11)) / 2 ** 53;
}

/** Standard normal draws (Box–Muller) from a uniform stream. */
export function normalFrom(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
