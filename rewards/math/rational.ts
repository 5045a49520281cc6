/**
 * Exact rationals on BigInt for the fast path: `0.5`, `1/2`, `\frac{1}{2}` and `5\times10^{-1}` must compare equal
 * without floating-point error, and `0.1 + 0.2`-style rounding must never decide an answer.
 */

/** A reduced fraction `num/den` with `den > 0`. */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** Powers of ten beyond this are refused: `1e100000` would allocate a 100,000-digit BigInt. */
export const MAX_DECIMAL_EXPONENT = 400;
/** Integer powers beyond this are refused for the same reason (`2^{10^6}`). */
export const MAX_INTEGER_POWER = 200;
/** Numerators/denominators longer than this many bits are refused (keeps every operation microseconds). */
const MAX_BITS = 4096n;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function bitLength(n: bigint): bigint {
  return BigInt((n < 0n ? -n : n).toString(2).length);
}

/** Builds a reduced rational; `null` for a zero denominator or an oversized result. */
export function rational(num: bigint, den: bigint = 1n): Rational | null {
  if (den === 0n) return null;
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den) || 1n;
  const r = { num: num / g, den: den / g };
  if (bitLength(r.num) > MAX_BITS || bitLength(r.den) > MAX_BITS) return null;
  return r;
}

export function add(a: Rational, b: Rational): Rational | null {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}
export function sub(a: Rational, b: Rational): Rational | null {
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}
export function mul(a: Rational, b: Rational): Rational | null {
  return rational(a.num * b.num, a.den * b.den);
}
export function div(a: Rational, b: Rational): Rational | null {
  return rational(a.num * b.den, a.den * b.num);
}
export function neg(a: Rational): Rational {
  return { num: -a.num, den: a.den };
}

/** `a^n` for an integer exponent `|n| ≤ MAX_INTEGER_POWER`; `null` otherwise (the caller falls back to floats). */
export function pow(a: Rational, n: Rational): Rational | null {
  if (n.den !== 1n) return null;
  const e = n.num < 0n ? -n.num : n.num;
  if (e > BigInt(MAX_INTEGER_POWER)) return null;
  if (bitLength(a.num) * e > MAX_BITS || bitLength(a.den) * e > MAX_BITS) return null;
  const r = rational(a.num ** e, a.den ** e);
  if (!r) return null;
  return n.num < 0n ? rational(r.den, r.num) : r;
}

export function equals(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den;
}

export function toNumber(a: Rational): number {
  // Division of two huge BigInts as Numbers would give Infinity/Infinity; scale first.
  const shift = bitLength(a.num) > 1000n || bitLength(a.den) > 1000n;
  if (!shift) return Number(a.num) / Number(a.den);
  const digits = a.num.toString().length - a.den.toString().length;
  const scaled = (a.num * 10n ** 20n) / (a.den * 10n ** BigInt(Math.max(0, digits)));
  return Number(scaled) * 10 ** (digits - 20);
}

/** Whether `a` has a finite decimal expansion (its reduced denominator is 2^i·5^j). */
export function isTerminating(a: Rational): boolean {
  let d = a.den;
  while (d % 2n === 0n) d /= 2n;
  while (d % 5n === 0n) d /= 5n;
  return d === 1n;
}

/**
 * Parses a plain numeric literal: integer, decimal, `a/b`, scientific `1.2e3` / `1.2E-3`, with an optional sign.
 * Anything else (including `1/0`) is `null`.
 */
export function parseRationalLiteral(text: string): Rational | null {
  const frac = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)\/(\d+(?:\.\d*)?|\.\d+)$/.exec(text);
  if (frac) {
    const a = parseDecimal(frac[2], 0);
    const b = parseDecimal(frac[3], 0);
    if (!a || !b) return null;
    const r = div(a, b);
    return r && frac[1] === '-' ? neg(r) : r;
  }
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d{1,6}))?$/.exec(text);
  if (!m) return null;
  const r = parseDecimal(m[2], m[3] ? Number(m[3]) : 0);
  return r && m[1] === '-' ? neg(r) : r;
}

/** `digits` like `12.50` times `10^exponent`, exactly. */
export function parseDecimal(digits: string, exponent: number): Rational | null {
  const [int, frac = ''] = digits.split('.');
  const e = exponent - frac.length;
  if (Math.abs(e) > MAX_DECIMAL_EXPONENT) return null;
  const mantissa = BigInt((int || '0') + frac);
  return e >= 0 ? rational(mantissa * 10n ** BigInt(e)) : rational(mantissa, 10n ** BigInt(-e));
}
