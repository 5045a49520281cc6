/**
 * An answer written as a sum, difference or product of numeric matrices (`\begin{pmatrix}1&2\\3&4\end{pmatrix} +
 * \begin{pmatrix}5&6\\7&8\end{pmatrix}`) is the matrix it evaluates to, exactly, as Math-Verify evaluates it.
 */
import { fastRational } from './equivalence.ts';
import * as Q from './rational.ts';
import { MAX_ITEMS, splitTop } from './structure.ts';

type M = Q.Rational[][];

const MATRIX = /\\begin\{([pbBvV]?matrix)\}([\s\S]*?)\\end\{\1\}/g;
const OPERATOR = /^(?:\+|-|\\cdot|\\times|)$/;

function cells(body: string): M | null {
  const rows = splitTop(body, /\\\\/)
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => splitTop(r, /&/).map((c) => fastRational(c.trim())));
  if (rows.length === 0 || rows.length > MAX_ITEMS || rows.some((r) => r.length !== rows[0].length)) return null;
  return rows.some((r) => r.some((c) => c === null)) ? null : (rows as M);
}

function combine(a: M, op: string, b: M): M | null {
  const out: (Q.Rational | null)[][] = [];
  if (op === '+' || op === '-') {
    if (a.length !== b.length || a[0].length !== b[0].length) return null;
    for (let i = 0; i < a.length; i++) out.push(a[i].map((x, j) => (op === '+' ? Q.add : Q.sub)(x, b[i][j])));
  } else {
    if (a[0].length !== b.length) return null;
    for (let i = 0; i < a.length; i++) {
      out.push(
        b[0].map((_, j) =>
          a[i].reduce<Q.Rational | null>(
            (s, x, k) => s && Q.add(s, Q.mul(x, b[k][j]) ?? Q.rational(0n)!),
            Q.rational(0n)
          )
        )
      );
    }
  }
  return out.some((r) => r.some((c) => c === null)) ? null : (out as M);
}

/** The evaluated matrix as LaTeX, or null when `s` is not a sum/difference/product of ≥ 2 numeric matrices. */
export function evaluateMatrixExpression(s: string): string | null {
  const matches = [...s.matchAll(MATRIX)];
  if (matches.length < 2) return null;
  let at = 0;
  let result: M | null = null;
  for (const m of matches) {
    const between = s.slice(at, m.index).trim();
    if (result === null ? between !== '' : !OPERATOR.test(between)) return null;
    const value = cells(m[2]);
    if (!value) return null;
    result =
      result === null
        ? value
        : combine(result, between === '' ? '*' : between.replace(/^\\(?:cdot|times)$/, '*'), value);
    if (!result) return null;
    at = m.index + m[0].length;
  }
  if (s.slice(at).trim() !== '' || !result) return null;
  const text = (q: Q.Rational) => (q.den === 1n ? `${q.num}` : `\\frac{${q.num}}{${q.den}}`);
  return `\\begin{pmatrix}${result.map((r) => r.map(text).join('&')).join('\\\\')}\\end{pmatrix}`;
}
