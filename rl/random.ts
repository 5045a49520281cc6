/**
 * The project's deterministic randomness, keyed so the same keys always give the same draws: Temporal workflows (no
 * Math.random there), the engine's sampler (a retried rollout must reproduce its text, DESIGN), data shuffles and
 * task worlds, weight initialisation and pretraining batches.
 *
 * `hashSeed(...keys)` is MurmurHash3_x86_32 with seed 0 over the keys written as little-endian signed 64-bit
 * integers, so any standard implementation reproduces it, e.g. Python
 * `mmh3.hash(struct.pack('<3q', seed, step, index), 0, signed=False)`; `mulberry32` streams from it. `keyedRandom`
 * takes string keys too (a parameter's name) and gives 53-bit uniforms: keys are hashed with murmur3's finaliser
 * per key into sfc32's four words; sfc32 passes PractRand to 2^42+ bytes, far beyond what a rollout draws.
 */
import { RlInputError } from './errors.ts';

const TWO_32 = 4294967296;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uint32 hash of integer keys (e.g. experiment seed, step, prompt index, sample index). */
export function hashSeed(...keys: number[]): number {
  let h = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (!Number.isSafeInteger(key)) {
      throw new RlInputError(`keys[${i}]`, `random keys must be whole numbers within ±2^53, got ${String(key)}`);
    }
    const hi = Math.floor(key / TWO_32);
    h = mixWord(mixWord(h, key - hi * TWO_32), hi);
  }
  return fmix32(h ^ (keys.length * 8));
}

/** One 4-byte block of MurmurHash3_x86_32. */
function mixWord(h: number, word: number): number {
  let k = Math.imul(word | 0, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** FNV-1a (32-bit) of a string's UTF-16 code units: turns names (tasks, worlds, categories, row ids) into keys. */
export function nameHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform draw in [0, 1) that depends only on the keys (32 bits of resolution). */
export function seededRandom(...keys: number[]): number {
  return hashSeed(...keys) / TWO_32;
}

/**
 * mulberry32: a small, fast stream of uniform [0, 1) draws from a uint32 seed (seed it with `hashSeed`).
 * Its whole state is one integer, so a sampler can resume a stream by re-seeding from the same keys.
 */
export function mulberry32(seed: number): () => number {
  if (!Number.isSafeInteger(seed)) throw new RlInputError('seed', `must be a whole number, got ${String(seed)}`);
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / TWO_32;
  };
}

/** A seeded stream keyed by a number or a string (a number seed `n` is the same as the string `"n"`). */
export function textSeededRandom(seed: number | string): () => number {
  return mulberry32(nameHash(String(seed)));
}

/** A key of {@link keyedRandom}: numbers (integers or fractions) and strings, told apart (1 is not '1'). */
export type RandomKey = number | string;

function hashKeys(keys: RandomKey[]): [number, number, number, number] {
  const words: [number, number, number, number] = [0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x3c6ef372];
  const absorb = (x: number) => {
    for (let i = 0; i < 4; i++) words[i] = fmix32(words[i] ^ Math.imul(x + i, 0x27d4eb2f) ^ (words[(i + 3) % 4] >>> 7));
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
