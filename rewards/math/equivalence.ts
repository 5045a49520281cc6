/**
 * Mathematical equivalence of two parsed answers. Scalars: exact rationals first, then exact evaluation of constant
 * expressions, then floats / numeric sampling, with the CAS (mathjs `simplify`, in a killable worker) as the
 * tie-breaker when sampling is inconclusive. Structures compare item by item under the rules in
 * docs/math-verifier.md (tuples and intervals ordered, sets and bare lists unordered).
 */
import type { MathNode } from 'mathjs';
import { casProvesZero } from './cas.ts';
import { latexToMathjs } from './convert.ts';
import { type Complex, closeEnough, compileNode, exactValue, parseBounded, sampleCompare } from './evaluate.ts';
import * as Q from './rational.ts';
import { isInfinity, type MathValue } from './structure.ts';

/** How a value written as a percentage (`50\%`) compares with one written without. */
export type PercentPolicy = 'lenient' | 'strip' | 'fraction' | 'strict';

export type VerifyPath = 'fast' | 'cas' | 'numeric' | 'structural' | 'none';

export interface EquivalenceOptions {
  /** See PercentPolicy; default `'lenient'`: `50\%` equals `50\%`, `50` and `0.5`. */
  percentPolicy: PercentPolicy;
  /**
   * A decimal stands for a value with no finite decimal expansion (`1/3`, `\sqrt2`, `\pi`) when it is that value
   * correctly rounded at its printed places and prints at least this many significant digits. Default 6
   * (`0.333333` = 1/3, `0.333` ≠ 1/3, `3.14159` = π). `Infinity` turns approximations off.
   */
  approxMinSignificantDigits: number;
  /** Accept any two numbers within this relative difference (science answers); default 0 = exact. */
  relativeTolerance: number;
  /**
   * Math-Verify's `float_rounding`: when set, a decimal literal equals a value if both round to the same number at
   * this many decimal places (`2.6667` = 8/3 at 2). Unset (default): the approxMinSignificantDigits rule.
   */
  floatRounding: number | null;
  /** Ask the CAS before numeric sampling (slower; the default asks it only when sampling is inconclusive). */
  casFirst: boolean;
  /**
   * Whether a prediction written as an inequality (`-2 \le x \le 7`) may match a gold written as an interval
   * (`[-2, 7]`); the other way round always matches. Default true: a correct inequality is a correct answer
   * (Math-Verify's `allow_set_relation_comp` defaults to false; docs/math-verifier.md lists the divergence).
   */
  allowSetRelationComparison: boolean;
}

export class DeadlineExceeded extends Error {}

export interface Verdict {
  equivalent: boolean;
  path: VerifyPath;
  reason: string;
}

export class Comparer {
  constructor(
    private readonly options: EquivalenceOptions,
    private readonly deadline: number
  ) {}

  private remaining(): number {
    const left = this.deadline - performance.now();
    if (left <= 0) throw new DeadlineExceeded('time budget exhausted');
    return left;
  }

  compare(a: MathValue, b: MathValue): Verdict {
    this.remaining();
    const stated = this.compareStatements(a, b);
    if (stated) return stated;
    if (a.kind === 'scalar' && b.kind === 'scalar') return this.compareScalars(a, b);
    if (a.kind === 'text' || b.kind === 'text') {
      if (a.kind === 'text' && b.kind === 'text') return compareText(a.text, b.text);
      return no('structural', 'text vs math');
    }
    const collected = this.compareCollections(a, b);
    if (collected) return collected;
    if (a.kind === 'seq' && b.kind === 'seq') return this.compareSeq(a, b);
    if (a.kind === 'union' && b.kind === 'union') {
      return this.matchUnordered(a.items, b.items, false)
        ? yes('structural', 'same union')
        : no('structural', 'different union');
    }
    if (a.kind === 'matrix' || b.kind === 'matrix') return this.compareMatrix(a, b);
    return no('structural', `different shapes (${a.kind} vs ${b.kind})`);
  }

  /** Equations and what they state, and `1,22` read as a decimal; null when neither side is one of those. */
  private compareStatements(a: MathValue, b: MathValue): Verdict | null {
    // A bare `x = 2` is its value; both sides equations with the same variable compare by value too.
    if (a.kind === 'equation' && b.kind === 'equation') {
      if (a.variable && a.variable === b.variable) return this.compare(a.value, b.value);
      return this.compareEquations(a.lhs, a.rhs, b.lhs, b.rhs);
    }
    // An equation against a plain value states its last side (`\frac{NO}{BO} = \frac{1}{\sqrt6}`, `V_1:V_2 = 11:21`).
    if (a.kind === 'equation') return a.assigns ? this.compare(a.value, b) : no('structural', 'equation vs value');
    if (b.kind === 'equation') return b.assigns ? this.compare(a, b.value) : no('structural', 'value vs equation');
    // `1,22` against a number may be the decimal 1.22 (a decimal comma)
    const decimal = (l: MathValue, v: MathValue) => l.kind === 'list' && l.decimalComma && v.kind === 'scalar';
    if (decimal(a, b) || decimal(b, a)) {
      const [l, v] = (a.kind === 'list' ? [a, b] : [b, a]) as [MathValue & { decimalComma: string }, MathValue];
      return this.compare({ kind: 'scalar', text: l.decimalComma, percent: false }, v);
    }
    return null;
  }

  /** Lists, sets, named coordinates and "or" of intervals; null when neither side is a list or set. */
  private compareCollections(a: MathValue, b: MathValue): Verdict | null {
    // `x = 1, y = 2` names the coordinates of the point (1, 2): compare in the order written.
    const tupleOfNamed = (l: MathValue, t: MathValue) =>
      l.kind === 'list' &&
      t.kind === 'seq' &&
      t.open === '(' &&
      t.close === ')' &&
      l.items.length === t.items.length &&
      l.items.every((v) => v.kind === 'equation' && v.variable) &&
      new Set(l.items.map((v) => (v.kind === 'equation' ? v.variable : ''))).size === l.items.length;
    if (tupleOfNamed(a, b) || tupleOfNamed(b, a)) {
      const [l, t] = (a.kind === 'list' ? [a, b] : [b, a]) as [{ items: MathValue[] }, { items: MathValue[] }];
      for (let k = 0; k < l.items.length; k++) {
        if (!this.compare(l.items[k], t.items[k]).equivalent) return no('structural', `coordinate ${k + 1} differs`);
      }
      return yes('structural', 'named coordinates match the tuple');
    }
    // `x < -1 or x > 1` is the union (-∞, -1) ∪ (1, ∞).
    const orOfIntervals = (l: MathValue, u: MathValue) =>
      l.kind === 'list' && l.alternatives === true && u.kind === 'union' && l.items.every((v) => v.kind === 'seq');
    if (orOfIntervals(a, b) || orOfIntervals(b, a)) {
      const items = (v: MathValue) => (v.kind === 'list' || v.kind === 'union' ? v.items : [v]);
      return this.matchUnordered(items(a), items(b), false)
        ? yes('structural', 'same union')
        : no('structural', 'different union');
    }
    if (a.kind !== 'set' && a.kind !== 'list' && b.kind !== 'set' && b.kind !== 'list') return null;
    // a tuple against a set of its elements in the same order: `(1, 3)` = `\{1, 3\}` (as Math-Verify)
    if ((a.kind === 'set' && b.kind === 'seq') || (b.kind === 'set' && a.kind === 'seq')) {
      const [x, y] = [a, b] as [{ items: MathValue[] }, { items: MathValue[] }];
      const same = x.items.length === y.items.length && x.items.every((v, k) => this.compare(v, y.items[k]).equivalent);
      return same ? yes('structural', 'tuple lists the set in order') : no('structural', 'tuple vs set');
    }
    const items = (v: MathValue) => (v.kind === 'set' || v.kind === 'list' ? v.items : [v]);
    // Answers listed with commas are sets, as in Math-Verify: order and repeats do not matter.
    return this.matchUnordered(items(a), items(b), true)
      ? yes('structural', 'same elements')
      : no('structural', 'different elements');
  }

  private compareSeq(a: Extract<MathValue, { kind: 'seq' }>, b: Extract<MathValue, { kind: 'seq' }>): Verdict {
    if (a.items.length !== b.items.length) return no('structural', 'different lengths');
    if (b.fromRelation && !a.fromRelation && !this.options.allowSetRelationComparison)
      return no('structural', 'an inequality against an interval gold (allowSetRelationComparison is off)');
    const n = a.items.length;
    // An endpoint at ±∞ is open whichever bracket was written.
    const openOk = a.open === b.open || (isInfinity(a.items[0]) === -1 && isInfinity(b.items[0]) === -1);
    const closeOk = a.close === b.close || (isInfinity(a.items[n - 1]) === 1 && isInfinity(b.items[n - 1]) === 1);
    if (!openOk || !closeOk) return no('structural', `brackets differ: ${a.open}…${a.close} vs ${b.open}…${b.close}`);
    for (let k = 0; k < n; k++) {
      const v = this.compare(a.items[k], b.items[k]);
      if (!v.equivalent) return no('structural', `item ${k + 1} differs: ${v.reason}`);
    }
    return yes('structural', 'same items in order');
  }

  private compareMatrix(a: MathValue, b: MathValue): Verdict {
    const rows = (v: MathValue): MathValue[][] | null => {
      if (v.kind === 'matrix') return v.rows;
      // a tuple compares with a one-row or one-column matrix (vectors are written both ways)
      if (v.kind === 'seq' && v.open === '(' && v.close === ')') return [v.items];
      return null;
    };
    let ra = rows(a);
    let rb = rows(b);
    if (!ra || !rb) return no('structural', 'matrix vs non-matrix');
    const isColumn = (r: MathValue[][]) => r.length > 1 && r.every((row) => row.length === 1);
    if (isColumn(ra) && rb.length === 1) ra = [ra.map((row) => row[0])];
    if (isColumn(rb) && ra.length === 1) rb = [rb.map((row) => row[0])];
    if (ra.length !== rb.length || ra.some((row, i) => row.length !== rb![i].length)) {
      return no('structural', 'different dimensions');
    }
    for (let i = 0; i < ra.length; i++) {
      for (let j = 0; j < ra[i].length; j++) {
        const v = this.compare(ra[i][j], rb[i][j]);
        if (!v.equivalent) return no('structural', `entry (${i + 1},${j + 1}) differs: ${v.reason}`);
      }
    }
    return yes('structural', 'same entries');
  }

  /** Multiset (perfect matching) or, when either side is a set, set equality (mutual coverage). */
  private matchUnordered(a: MathValue[], b: MathValue[], setSemantics: boolean): boolean {
    if (!setSemantics && a.length !== b.length) return false;
    const equal: boolean[][] = a.map(() => b.map(() => false));
    for (let i = 0; i < a.length; i++)
      for (let j = 0; j < b.length; j++) equal[i][j] = this.compare(a[i], b[j]).equivalent;
    if (setSemantics) return equal.every((row) => row.some(Boolean)) && b.every((_, j) => equal.some((row) => row[j]));
    // Kuhn's augmenting paths: a perfect matching exists iff every item finds a partner.
    const owner: number[] = b.map(() => -1);
    const tryAssign = (i: number, seen: boolean[]): boolean => {
      for (let j = 0; j < b.length; j++) {
        if (!equal[i][j] || seen[j]) continue;
        seen[j] = true;
        if (owner[j] < 0 || tryAssign(owner[j], seen)) {
          owner[j] = i;
          return true;
        }
      }
      return false;
    };
    return a.every((_, i) =>
      tryAssign(
        i,
        b.map(() => false)
      )
    );
  }

  private compareEquations(l1: string, r1: string, l2: string, r2: string): Verdict {
    const c = [l1, r1, l2, r2].map(latexToMathjs);
    if (c.some((x) => x === null)) {
      return compact(l1) === compact(l2) && compact(r1) === compact(r2)
        ? yes('fast', 'identical equations')
        : no('none', 'equation not understood');
    }
    const [a1, b1, a2, b2] = c as NonNullable<(typeof c)[0]>[];
    const f = parseBounded(`(${a1.expression}) - (${b1.expression})`);
    const g = parseBounded(`(${a2.expression}) - (${b2.expression})`);
    if (!f || !g) return no('none', 'equation too large');
    const vars = [...new Set([...a1.variables, ...b1.variables, ...a2.variables, ...b2.variables])].sort();
    const ef = compileNode(f);
    const eg = compileNode(g);
    if (!ef || !eg) return no('none', 'equation not evaluable');
    const s = sampleCompare(ef, eg, vars, true);
    if (s.verdict === 'equal') return yes('numeric', `lhs − rhs proportional at ${s.points} points`);
    if (s.verdict === 'different') return no('numeric', 'lhs − rhs not proportional');
    return no('numeric', 'equations not comparable numerically');
  }

  private compareScalars(a: { text: string; percent: boolean }, b: { text: string; percent: boolean }): Verdict {
    if (a.percent === b.percent && compact(a.text) === compact(b.text))
      return yes('fast', 'identical after normalisation');
    const fa = fastRational(a.text);
    const fb = fastRational(b.text);
    if (fa && fb) {
      const va: ScalarValue = { exact: fa, float: null, decimal: decimalInfo(a.text) };
      const vb: ScalarValue = { exact: fb, float: null, decimal: decimalInfo(b.text) };
      return this.withPercent(va, a.percent, vb, b.percent)
        ? yes('fast', 'equal numbers')
        : no('fast', 'different numbers');
    }
    const ca = latexToMathjs(a.text);
    const cb = latexToMathjs(b.text);
    if (!ca || !cb) return no('none', `not understood: ${!ca ? a.text : b.text}`.slice(0, 200));
    const na = parseBounded(ca.expression);
    const nb = parseBounded(cb.expression);
    if (!na || !nb) return no('none', 'expression too large or unparseable');
    const variables = [...new Set([...ca.variables, ...cb.variables])].sort();
    if (variables.length === 0) return this.compareConstants(na, nb, a, b);
    if (a.percent !== b.percent) return no('structural', 'percentage vs expression');
    return this.compareExpressions(na, nb, ca.expression, cb.expression, variables);
  }

  private compareConstants(
    na: MathNode,
    nb: MathNode,
    a: { text: string; percent: boolean },
    b: { text: string; percent: boolean }
  ): Verdict {
    // A long integer literal loses digits as a mathjs float: read it from the text instead.
    const ea = fastRational(a.text) ?? exactValue(na);
    const eb = fastRational(b.text) ?? exactValue(nb);
    const value = (node: MathNode, exact: Q.Rational | null, text: string): ScalarValue | null => {
      if (exact) return { exact, float: null, decimal: decimalInfo(text) };
      const f = compileNode(node)?.({});
      return f ? { exact: null, float: f, decimal: null } : null;
    };
    const va = value(na, ea, a.text);
    const vb = value(nb, eb, b.text);
    if (!va || !vb) return no('numeric', 'undefined value');
    const path: VerifyPath = ea && eb ? 'cas' : 'numeric';
    return this.withPercent(va, a.percent, vb, b.percent)
      ? yes(path, path === 'cas' ? 'equal exact values' : 'equal values')
      : no(path, 'different values');
  }

  private compareExpressions(na: MathNode, nb: MathNode, ea: string, eb: string, variables: string[]): Verdict {
    const difference = `(${ea}) - (${eb})`;
    const askCas = (): Verdict | null => {
      // rationalize expands polynomials (simplify does not), but it can run for minutes on high powers
      const tryRationalize = difference.length < 300 && !/\^\s*\(?\s*(?:\d{2,}|[7-9])/.test(difference);
      // casFirst keeps half the budget for sampling in case the CAS finds no proof
      const budget = this.options.casFirst ? this.remaining() / 2 : this.remaining();
      const r = casProvesZero(difference, budget, tryRationalize);
      if (r.status === 'zero') return yes('cas', `${r.by}(a − b) = 0`);
      return null;
    };
    if (this.options.casFirst) {
      const v = askCas();
      if (v) return v;
    }
    const f = compileNode(na);
    const g = compileNode(nb);
    if (!f || !g) return no('none', 'not evaluable');
    const s = sampleCompare(f, g, variables);
    if (s.verdict === 'equal') return yes('numeric', `equal at ${s.points} random points`);
    if (s.verdict === 'different') return no('numeric', `differ at ${JSON.stringify(s.at).slice(0, 120)}`);
    if (!this.options.casFirst) {
      const v = askCas();
      if (v) return v;
    }
    return no('cas', `sampling inconclusive (${s.points} defined points) and the CAS found no proof`);
  }

  /** Applies the percent policy, then compares. */
  private withPercent(a: ScalarValue, aPercent: boolean, b: ScalarValue, bPercent: boolean): boolean {
    if (aPercent === bPercent) return this.sameValue(a, b);
    const [p, other] = aPercent ? [a, b] : [b, a];
    const policy = this.options.percentPolicy;
    if (policy === 'strict') return false;
    const asNumber = policy === 'lenient' || policy === 'strip';
    const asFraction = policy === 'lenient' || policy === 'fraction';
    return (asNumber && this.sameValue(p, other)) || (asFraction && this.sameValue(scale(p, 100), other));
  }

  private sameValue(a: ScalarValue, b: ScalarValue): boolean {
    if (a.exact && b.exact && Q.equals(a.exact, b.exact)) return true;
    const fa = a.float ?? (a.exact ? { re: Q.toNumber(a.exact), im: 0 } : null);
    const fb = b.float ?? (b.exact ? { re: Q.toNumber(b.exact), im: 0 } : null);
    if (!fa || !fb) return false;
    if (!(a.exact && b.exact) && closeEnough(fa, fb)) return true;
    const r = this.options.floatRounding;
    if (r !== null && (a.decimal || b.decimal) && fa.im === 0 && fb.im === 0)
      return roundTo(fa.re, r) === roundTo(fb.re, r);
    const tol = this.options.relativeTolerance;
    if (
      tol > 0 &&
      fa.im === 0 &&
      fb.im === 0 &&
      Math.abs(fa.re - fb.re) <= tol * Math.max(Math.abs(fa.re), Math.abs(fb.re))
    )
      return true;
    // A rounded decimal for a value with no finite decimal expansion (see approxMinSignificantDigits).
    return this.approximates(a, fb, b) || this.approximates(b, fa, a);
  }

  private approximates(decimalSide: ScalarValue, target: Complex, targetSide: ScalarValue): boolean {
    const d = decimalSide.decimal;
    if (!d || target.im !== 0 || !Number.isFinite(target.re)) return false;
    if (targetSide.exact && Q.isTerminating(targetSide.exact)) return false;
    if (targetSide.decimal) return false;
    if (d.significant < this.options.approxMinSignificantDigits) return false;
    const value = decimalSide.exact ? Q.toNumber(decimalSide.exact) : Number.NaN;
    return Math.abs(value - target.re) <= 0.5 * 10 ** -d.places * (1 + 1e-9) + Number.EPSILON * Math.abs(target.re);
  }
}

interface ScalarValue {
  exact: Q.Rational | null;
  float: Complex | null;
  /** Set when the text is a decimal literal with a point: its printed places and significant digits. */
  decimal: { places: number; significant: number } | null;
}

function scale(v: ScalarValue, divisor: number): ScalarValue {
  return {
    exact: v.exact ? Q.div(v.exact, Q.rational(BigInt(divisor))!) : null,
    float: v.float ? { re: v.float.re / divisor, im: v.float.im / divisor } : null,
    decimal: v.decimal ? { places: v.decimal.places + 2, significant: v.decimal.significant } : null,
  };
}

function roundTo(x: number, places: number): number {
  return Number(x.toFixed(Math.min(places, 100)));
}

function decimalInfo(text: string): { places: number; significant: number } | null {
  const m = /^[+-]?(\d*)\.(\d+)$/.exec(compact(text));
  if (!m) return null;
  const digits = (m[1] + m[2]).replace(/^0+/, '');
  return { places: m[2].length, significant: digits.length };
}

function compact(s: string): string {
  return s.replace(/\s+/g, '');
}

/** Plain rationals the fast path reads without mathjs: `-3`, `2.50`, `1/2`, `\frac{1}{2}`, `-\frac12`, `1.2\times10^{3}`. */
export function fastRational(text: string): Q.Rational | null {
  const s = compact(text);
  if (s.length > 80) return null;
  const direct = Q.parseRationalLiteral(s);
  if (direct) return direct;
  const frac = /^([+-]?)\\frac(?:\{([+-]?\d+(?:\.\d+)?)\}|(\d))(?:\{([+-]?\d+(?:\.\d+)?)\}|(\d))$/.exec(s);
  if (frac) {
    const a = Q.parseRationalLiteral(frac[2] ?? frac[3]);
    const b = Q.parseRationalLiteral(frac[4] ?? frac[5]);
    if (!a || !b) return null;
    const r = Q.div(a, b);
    return r && frac[1] === '-' ? Q.neg(r) : r;
  }
  const sci = /^([+-]?)(\d+(?:\.\d+)?)(?:\\times|\\cdot|\*|x)10\^(?:\{([+-]?\d+)\}|(\d))$/.exec(s);
  if (sci) {
    const r = Q.parseDecimal(sci[2], Number(sci[3] ?? sci[4]));
    return r && sci[1] === '-' ? Q.neg(r) : r;
  }
  return null;
}

/** Text answers: case-insensitive, spacing-insensitive, `(A)` = `A`. */
function compareText(a: string, b: string): Verdict {
  const canon = (s: string) =>
    s
      .toLowerCase()
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^\(([a-z])\)$/, '$1');
  return canon(a) === canon(b) ? yes('fast', 'same text') : no('fast', 'different text');
}

function yes(path: VerifyPath, reason: string): Verdict {
  return { equivalent: true, path, reason };
}
function no(path: VerifyPath, reason: string): Verdict {
  return { equivalent: false, path, reason };
}
