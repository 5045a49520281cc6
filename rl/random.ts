/**
 * Deterministic randomness keyed by integers, for code that must give the same draw on every replay: Temporal
 * workflows (no Math.random there) and the engine's sampler (a retried rollout must reproduce its text, DESIGN).
 *
 * `hashSeed(...keys)` is MurmurHash3_x86_32 with seed 0 over the keys written as little-endian signed 64-bit
 * integers, so any standard implementation reproduces it, e.g. Python
 * `mmh3.hash(struct.pack('<3q', seed, step, index), 0, signed=False)`.
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
