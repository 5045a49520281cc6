/**
 * Exact and numeric evaluation of converted leaves. Exact rational arithmetic decides every comparison it can (so
 * `\frac{1}{2}+\frac{1}{3}` equals `5/6` exactly); the rest is evaluated in floating point, at random points of the
 * free variables when there are any (the numeric-sampling test).
 */
import { type MathNode, parse } from 'mathjs';
import { textSeededRandom } from '../../rl/random.ts';
import * as Q from './rational.ts';

/** Number of mathjs nodes a leaf may have; bounds parse, exact and numeric evaluation time. */
export const MAX_NODES = 400;

export function parseBounded(expression: string): MathNode | null {
  try {
    const node = parse(expression);
    let count = 0;
    node.traverse(() => {
      count++;
    });
    return count > MAX_NODES ? null : node;
  } catch {
    return null;
  }
}

function isqrt(n: bigint): bigint | null {
  if (n < 0n) return null;
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  // Newton steps correct the float estimate for large n
  for (let k = 0; k < 100; k++) {
    const y = (x + n / x) >> 1n;
    if (y >= x && x * x <= n) break;
    x = y;
  }
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x * x === n ? x : null;
}

/** Exact value of a constant expression built from rationals with + − × ÷, integer powers, `sqrt` of squares, `!`, nCr. */
export function exactValue(node: MathNode): Q.Rational | null {
  const n = node as any;
  switch (node.type) {
    case 'ConstantNode': {
      const v = n.value;
      if (typeof v !== 'number' || !Number.isFinite(v)) return null;
      // beyond 2^53 the float already lost digits of the literal
      if (Number.isInteger(v) && !Number.isSafeInteger(v)) return null;
      return Q.parseRationalLiteral(String(v));
    }
    case 'ParenthesisNode':
      return exactValue(n.content);
    case 'OperatorNode': {
      const args = n.args.map(exactValue) as (Q.Rational | null)[];
      if (args.some((a) => a === null)) return null;
      const [a, b] = args as Q.Rational[];
      switch (n.fn) {
        case 'add':
          return Q.add(a, b);
        case 'subtract':
          return Q.sub(a, b);
        case 'multiply':
          return Q.mul(a, b);
        case 'divide':
          return Q.div(a, b);
        case 'unaryMinus':
          return Q.neg(a);
        case 'unaryPlus':
          return a;
        case 'pow':
          return Q.pow(a, b);
        case 'factorial': {
          if (a.den !== 1n || a.num < 0n || a.num > 100n) return null;
          let f = 1n;
          for (let k = 2n; k <= a.num; k++) f *= k;
          return Q.rational(f);
        }
        default:
          return null;
      }
    }
    case 'FunctionNode': {
      const name = n.fn?.name;
      const args = n.args.map(exactValue) as (Q.Rational | null)[];
      if (args.some((a) => a === null)) return null;
      if (name === 'sqrt' && args.length === 1) {
        const [a] = args as Q.Rational[];
        const p = isqrt(a.num);
        const q = isqrt(a.den);
        return p !== null && q !== null ? Q.rational(p, q) : null;
      }
      if (name === 'nCr' && args.length === 2) {
        const [a, b] = args as Q.Rational[];
        if (a.den !== 1n || b.den !== 1n || b.num < 0n || a.num < b.num || b.num > 1000n) return null;
        let r = 1n;
        for (let k = 0n; k < b.num; k++) r = (r * (a.num - k)) / (k + 1n);
        return Q.rational(r);
      }
      return null;
    }
    default:
      return null;
  }
}

/** `nCr` for floats, bounded (mathjs's own `combinations` loops k times, so `combinations(1e9, 5e8)` would hang). */
function nCr(n: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) return Number.NaN;
  const kk = Math.min(k, n - k);
  if (kk > 1000) return Number.POSITIVE_INFINITY;
  let r = 1;
  for (let j = 1; j <= kk; j++) r = (r * (n - kk + j)) / j;
  return r;
}

/** A real or complex float value; `null` when undefined (NaN, division by zero, outside a function's domain). */
export interface Complex {
  re: number;
  im: number;
}

function toComplex(v: unknown): Complex | null {
  if (typeof v === 'number') return Number.isNaN(v) ? null : { re: v, im: 0 };
  if (v && typeof v === 'object' && 're' in v && 'im' in v) {
    const c = v as Complex;
    if (Number.isNaN(c.re) || Number.isNaN(c.im)) return null;
    return { re: c.re, im: c.im };
  }
  if (typeof v === 'boolean') return null;
  return null;
}

export type Evaluator = (scope: Record<string, number>) => Complex | null;

export function compileNode(node: MathNode): Evaluator | null {
  try {
    const code = node.compile();
    return (scope) => {
      try {
        return toComplex(code.evaluate({ ...scope, nCr }));
      } catch {
        return null;
      }
    };
  } catch {
    return null;
  }
}

/** Relative tolerance for float comparisons; covers rounding error only, never a rounded answer. */
export const FLOAT_RELATIVE_TOLERANCE = 1e-9;

export function closeEnough(a: Complex, b: Complex, tol = FLOAT_RELATIVE_TOLERANCE): boolean {
  for (const [x, y] of [
    [a.re, b.re],
    [a.im, b.im],
  ]) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (x !== y) return false;
      continue;
    }
    const scale = Math.max(1, Math.abs(a.re), Math.abs(a.im), Math.abs(b.re), Math.abs(b.im));
    if (Math.abs(x - y) > tol * scale) return false;
  }
  return true;
}

/** Sample points per comparison, and how many must be defined on both sides for a verdict. */
export const SAMPLE_POINTS = 16;
export const MIN_VALID_POINTS = 5;

export type SamplingVerdict =
  | { verdict: 'equal'; points: number }
  | { verdict: 'different'; at: Record<string, number> }
  | { verdict: 'inconclusive'; points: number };

/**
 * The numeric-sampling test: evaluates `f` and `g` at `SAMPLE_POINTS` seeded points of the variables (magnitudes
 * 0.1–3.1, both signs, never integers, so `\sqrt{x^2}` vs `x` and `\lfloor x\rfloor` vs `x` are caught). One
 * point where both are defined and differ decides "different"; `MIN_VALID_POINTS` agreeing points decide "equal".
 */
function isReal(z: Complex): boolean {
  return Math.abs(z.im) <= 1e-9 * Math.max(1, Math.abs(z.re));
}

export function sampleCompare(
  f: Evaluator,
  g: Evaluator,
  variables: readonly string[],
  ratio = false
): SamplingVerdict {
  const random = textSeededRandom(`math-sampling:${variables.join(',')}`);
  let valid = 0;
  let firstRatio: Complex | null = null;
  // points where a side is undefined or on another branch are skipped; up to twice as many are drawn to replace them
  for (let k = 0; k < 2 * SAMPLE_POINTS && valid < SAMPLE_POINTS; k++) {
    const scope: Record<string, number> = {};
    for (const v of variables) scope[v] = (random() < 0.5 ? -1 : 1) * (0.1 + 3 * random());
    const a = f(scope);
    const b = g(scope);
    if (!a || !b) continue;
    if (!Number.isFinite(a.re) || !Number.isFinite(a.im) || !Number.isFinite(b.re) || !Number.isFinite(b.im)) continue;
    // A real value against a non-real one is a choice of root branch (`\sqrt[3]{x}^2` real, `x^{2/3}` principal
    // complex at x < 0), not a difference: such a point decides nothing.
    if (isReal(a) !== isReal(b)) continue;
    if (ratio) {
      // equations: (lhs1 − rhs1) must be a constant non-zero multiple of (lhs2 − rhs2)
      const bothZero = Math.abs(a.re) + Math.abs(a.im) < 1e-12 && Math.abs(b.re) + Math.abs(b.im) < 1e-12;
      if (bothZero) continue;
      const d = b.re * b.re + b.im * b.im;
      if (d < 1e-24) return { verdict: 'different', at: scope };
      const r = { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
      if (Math.abs(r.re) + Math.abs(r.im) < 1e-12) return { verdict: 'different', at: scope };
      if (firstRatio && !closeEnough(firstRatio, r, 1e-7)) return { verdict: 'different', at: scope };
      firstRatio ??= r;
    } else if (!closeEnough(a, b, 1e-8)) return { verdict: 'different', at: scope };
    valid++;
  }
  return valid >= MIN_VALID_POINTS ? { verdict: 'equal', points: valid } : { verdict: 'inconclusive', points: valid };
}
