/**
 * Property tests of the math verifier: it never throws and stays inside its time budget on arbitrary and hostile
 * input, it is symmetric, and equal numbers written in different forms verify (unequal ones do not).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { verifyMath, warmUpCas } from '../../../rewards/math/index.ts';

const BUDGET_MS = 300;
// Work outside the CAS is bounded by input caps, not interrupted; the slack absorbs two cores shared by many tests.
const SLACK_MS = 400;

function bounded(gold: string, prediction: string, opts = {}): void {
  const v = verifyMath(gold, prediction, { timeoutMs: BUDGET_MS, ...opts });
  assert.equal(typeof v.equivalent, 'boolean');
  assert.equal(typeof v.reason, 'string');
  assert.ok(
    v.ms <= BUDGET_MS + SLACK_MS,
    `${v.ms.toFixed(0)} ms for ${JSON.stringify([gold, prediction]).slice(0, 200)}`
  );
}

const TOKENS = [
  '\\frac',
  '\\dfrac',
  '\\sqrt',
  '\\boxed',
  '\\left(',
  '\\right)',
  '\\{',
  '\\}',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '^',
  '_',
  '=',
  ',',
  '\\pm',
  '\\cup',
  '\\infty',
  '\\pi',
  '\\cdot',
  '\\times',
  '\\%',
  '\\text{cm}',
  '\\begin{pmatrix}',
  '\\end{pmatrix}',
  '&',
  '\\\\',
  'x',
  'y',
  '1',
  '2',
  '0.5',
  '10^{',
  '!',
  '|',
  '<',
  '\\le',
  '-',
  '+',
  '/',
  '$',
  '<answer>',
  '</answer>',
  ' ',
];

test('never throws and stays in budget on random strings', () => {
  warmUpCas();
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 300 }), (a, b) => bounded(a, b)),
    { numRuns: 200 }
  );
});

test('never throws and stays in budget on LaTeX-ish token soups', () => {
  const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(''));
  fc.assert(
    fc.property(soup, soup, (a, b) => bounded(a, b)),
    { numRuns: 300 }
  );
});

test('never throws and stays in budget on deeply nested and unbalanced braces', () => {
  const nested = fc
    .tuple(
      fc.integer({ min: 1, max: 3000 }),
      fc.integer({ min: 0, max: 3000 }),
      fc.constantFrom('{', '(', '\\frac{1}{', '\\sqrt{', '\\{')
    )
    .map(([open, close, o]) => `${o.repeat(open)}x${'}'.repeat(close)}`);
  fc.assert(
    fc.property(nested, nested, (a, b) => bounded(a, b)),
    { numRuns: 40 }
  );
});

test('hostile CAS input is cut off at the budget (worker killed), not run to completion', () => {
  // rationalize('(x+1)^30 - (x^2+2x+1)^15') was measured not to return within minutes
  bounded('(x+1)^{30}', '(x^2+2x+1)^{15}', { casFirst: true });
  bounded('2^{2^{2^{100}}}', '10^{10^{10}}');
  bounded('99999999!', '\\binom{1000000000}{500000000}');
  bounded('1e999999', '1e-999999');
  bounded('x^{x^{x^{x^{x^{x}}}}}', 'x^{x^{x^{x^{x^{x+1}}}}}', { casFirst: true });
  bounded('9'.repeat(5000), '9'.repeat(5000));
  // and the verifier still works after its worker was killed
  assert.equal(verifyMath('(x+1)^2', 'x^2+2x+1', { casFirst: true, timeoutMs: 5000 }).equivalent, true);
});

test('symmetric: swapping gold and prediction never changes the verdict (corpus, bare answers)', () => {
  const cases = readFileSync(new URL('../../fixtures/math/cases.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { id: string; gold: string; prediction: string; category: string })
    .filter((c) => c.category !== 'extraction');
  const asymmetric = cases.filter(
    (c) =>
      verifyMath(c.gold, c.prediction, { timeoutMs: 5000 }).equivalent !==
      verifyMath(c.prediction, c.gold, { timeoutMs: 5000 }).equivalent
  );
  assert.deepEqual(
    asymmetric.map((c) => c.id),
    []
  );
});

test('symmetric on random answer-like pairs (numbers, percents, approximations, sets, intervals, equations)', () => {
  const pieces = [
    '\\frac{1}{2}',
    '0.5',
    '1/2',
    '50\\%',
    '50',
    'x',
    '2x',
    'x^2',
    '(',
    ')',
    '[',
    ']',
    ',',
    '\\{',
    '\\}',
    '=',
    'y',
    '\\pm',
    '1',
    '2',
    '\\infty',
    '-',
    '+',
    '\\cup',
    ' or ',
    '\\sqrt{2}',
    '1.41421',
    '\\pi',
    '3.14159',
    '\\text{ cm}',
  ];
  const answer = fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }).map((t) => t.join(''));
  fc.assert(
    fc.property(answer, answer, (a, b) => {
      assert.equal(verifyMath(a, b, { timeoutMs: 5000 }).equivalent, verifyMath(b, a, { timeoutMs: 5000 }).equivalent);
    }),
    { numRuns: 400 }
  );
});

function gcd(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : gcd(b, a % b);
}

/** Finite decimal of p/q when q = 2^i·5^j, else null. */
function decimalOf(p: number, q: number): string | null {
  const g = gcd(p, q);
  let den = q / g;
  while (den % 2 === 0) den /= 2;
  while (den % 5 === 0) den /= 5;
  if (den !== 1) return null;
  return String(p / q);
}

test('equal numbers in different forms verify', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -5000, max: 5000 }),
      fc.integer({ min: 1, max: 400 }),
      fc.integer({ min: 1, max: 9 }),
      (p, q, k) => {
        const forms = [`\\frac{${p}}{${q}}`, `${p}/${q}`, `\\dfrac{${p * k}}{${q * k}}`, `\\boxed{\\frac{${p}}{${q}}}`];
        if (p < 0) forms.push(`-\\frac{${-p}}{${q}}`);
        const d = decimalOf(p, q);
        if (d) forms.push(d, `$${d}$`);
        if (q === 1 || gcd(p, q) === q) {
          const n = p / q;
          forms.push(`${n}.0`, `${n}\\times10^{0}`, `<answer>${n}</answer>`);
        }
        for (const a of forms) {
          for (const b of forms) {
            const v = verifyMath(a, b, { timeoutMs: 5000 });
            assert.ok(v.equivalent, `${a} vs ${b}: ${v.reason}`);
          }
        }
      }
    ),
    { numRuns: 60 }
  );
});

test('different numbers never verify', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -5000, max: 5000 }),
      fc.integer({ min: 1, max: 400 }),
      fc.integer({ min: 1, max: 400 }),
      (p, q, r) => {
        // p/q vs (p+1)/r are equal only when p·r = (p+1)·q
        const equal = p * r === (p + 1) * q;
        assert.equal(verifyMath(`\\frac{${p}}{${q}}`, `${p + 1}/${r}`).equivalent, equal);
      }
    ),
    { numRuns: 200 }
  );
});

test('scientific notation forms of one value verify', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: -12, max: 12 }), (m, e) => {
      const mantissa = (m / 1000).toString();
      const forms = [
        `${mantissa}e${e}`,
        `${mantissa}\\times10^{${e}}`,
        `${mantissa} \\times 10^{${e}}`,
        `${mantissa}E${e}`,
      ];
      for (const a of forms) for (const b of forms) assert.ok(verifyMath(a, b).equivalent, `${a} vs ${b}`);
      assert.equal(verifyMath(forms[0], `${mantissa}e${e + 1}`).equivalent, false);
    }),
    { numRuns: 100 }
  );
});

test('never throws and stays in budget on 100 KB adversarial prose (the answer locator scans a bounded tail)', () => {
  const units = ['1 ', '1 + ', 'the $', 'answer: ', 'final answer ', '\\boxed{1} and ', 'text \\[ ', 'word \\( '];
  const huge = fc
    .tuple(fc.constantFrom(...units), fc.constantFrom(...units), fc.constantFrom('', 'is 5', '$5$', '\\]', '\\)'))
    .map(([a, b, end]) => `${(a + b).repeat(Math.ceil(100_000 / (a + b).length))}${end}`);
  fc.assert(
    fc.property(huge, (text) => bounded('5', text)),
    { numRuns: 30 }
  );
  bounded('5', `the answer is $${'x^{'.repeat(3000)}${'}'.repeat(3000)}$`);
  bounded('5', `So ${'\\frac{'.repeat(20_000)}1${'}'.repeat(20_000)}`);
  // many words between two boxes (a backtracking joiner test would take exponential time here)
  bounded('5', `\\boxed{1}${' and'.repeat(20_000)} X \\boxed{2}`);
  bounded('B', 'A '.repeat(50_000));
  bounded('5', `words ${` =1${'+1'.repeat(150)}x`.repeat(300)}`);
});
