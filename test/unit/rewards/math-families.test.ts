/**
 * The answer families where Math-Verify and a naive verifier part ways (issue 15), with hand-written cases: each
 * row is [gold, prediction, expected]. Math-Verify's own suite is run separately (math-verify-suite.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractAnswer, type VerifyMathOptions, verifyMath } from '../../../rewards/math/index.ts';

type Row = [gold: string, prediction: string, expected: boolean];

function check(rows: Row[], opts: VerifyMathOptions = {}): void {
  const wrong = rows
    .map(([g, p, want]) => ({ g, p, want, v: verifyMath(g, p, { timeoutMs: 5000, ...opts }) }))
    .filter((r) => r.v.equivalent !== r.want)
    .map(
      (r) => `${JSON.stringify(r.g)} vs ${JSON.stringify(r.p)}: want ${r.want}, got ${r.v.equivalent} (${r.v.reason})`
    );
  assert.deepEqual(wrong, []);
}

test('several \\boxed{} that state one answer are joined; prose between boxes separates them', () => {
  check([
    ['k = 45, n = 2', '\\boxed{k = 45} \\quad \\text{and} \\quad \\boxed{n = 2}', true],
    ['\\{1,2,3\\}', 'So \\boxed{1} and \\boxed{2} and \\boxed{3}', true],
    ['\\{1,2,3\\}', '\\boxed{1},\\boxed{2},\\boxed{3}', true],
    ['(2, 2), (6, 2)', '$$\\boxed{(6, 2)} \\text{ and } \\boxed{(2, 2)}$$', true],
    ['y_1 = 2x, y_2 = 3x', '\\( y_1 = \\boxed{2x} \\) and \\( y_2 = \\boxed{3x} \\)', true],
    ['4', 'First \\boxed{3}, but that was wrong, so the answer is \\boxed{4}', true],
    ['3', 'Either \\boxed{3} or \\boxed{4}', false],
    ['1, 2', '\\boxed{1} papers and \\boxed{2} bins', true],
    ['2', '\\boxed{1} is not it and \\boxed{2} is', true],
    ['10455', 'so $\\boxed{255}$ interest. Final Answer: The final answer is $10,455$. I hope it is correct.', true],
  ]);
});

test('answers in prose: "final answer is", "answer:", the last math or number', () => {
  assert.equal(extractAnswer('Final Answer: The largest $n$ is 34.'), '34');
  assert.equal(extractAnswer('The final answer is $\\frac{3}{4}$. I hope it is correct.'), '\\frac{3}{4}');
  assert.equal(extractAnswer('there are 12 sequences, since $d = \\frac{90}{n}$ for each of the 12 divisors.'), '12');
  assert.equal(extractAnswer('We get $x = 3$ and, checking, it holds.'), 'x = 3');
  check([
    ['2/3', 'so the probability that Alice wins the game is 2/3.', true],
    ['$120$', 'Final Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.', true],
    ['1000.99', 'the number is not 10, it is 1,000.99€', true],
    ['2.74', 'Soucis : 2,74 $ a..', true],
    ['$21,16$ or $11$', '$11, 16, 21$', true],
    ['$9$', 'The answer is $8$, not 9 as one might think', false],
    ['(1, 2]', 'Therefore the interval is (1, 2].', true],
    ['\\{1, 2, 3\\}', 'The set is {1, 2, 3}.', true],
    ['2\\sqrt{3}', 'The answer is 2√3.', true],
    ['2\\pi', 'The circumference is 2π.', true],
    ['(1, 2]', 'Therefore the interval is (1, 2).', false],
    ['12', 'We have 3 groups of 4, so 12 in total.', true],
    ['\\{2, 30, -7\\}', 'So the answer is \\left\\{-7, 30, 2\\right\\}.', true],
    ['y = 9x + 7', 'So the answer is y=9x+7.', true],
    ['\\frac{9\\pi}{5}', 'So the answer is \\frac{9}{5}\\pi.', true],
    ['5', 'The answer is 5 apples, not 6.', true],
  ]);
});

test('inequalities, intervals and unions; \\neq vs !=, \\geq vs >=', () => {
  check([
    ['x >= 5', 'Therefore $x \\geq 5$ is the solution.', true],
    ['x \\leq 2', 'Thus $x <= 2$ is our answer.', true],
    ['x != 3', 'We find that $x \\neq 3$.', true],
    ['x \\neq 3', 'x \\ne 4', false],
    ['x < 1', '-x > -1', true],
    ['(-\\infty,1)\\cup(2,\\infty)', 'So $x<1$ or $x>2$.', true],
    ['(-\\infty,1)\\cup(2,\\infty)', 'So $x<1$ or $x>3$.', false],
    ['x \\le 1', '-x \\ge -1', true],
    ['x < 1', '-x < -1', false],
    ['x \\in [-2,7]', '-2 \\le x \\le 7', true],
    [
      '1\\leq|z|\\leq \\frac{3}{2}',
      'z \\in \\left[-\\frac{3}{2}, -1\\right] \\cup \\left[1, \\frac{3}{2}\\right]',
      true,
    ],
    ['1\\leq|z|\\leq \\frac{3}{2}', '[1, \\frac{3}{2}]', false],
  ]);
  check([['[-2,7]', '-2 \\le x \\le 7', false]], { allowSetRelationComparison: false });
  check([['-2 \\le x \\le 7', '[-2,7]', true]], { allowSetRelationComparison: false });
});

test('a labelled answer is its value; a condition is not', () => {
  check([
    ['\\frac{NO}{BO}=\\frac{1}{\\sqrt{6}}', '\\frac{1}{\\sqrt{6}}', true],
    ['V_{1}:V_{2}=11:21', '11:21', true],
    ['|AB| = 1', '1', true],
    ['1/3', 'x=1/3\\approx 0.33', true],
    ['x = 1/3', 'x = 1/3 \\approx 0.3333', true],
    ['11', 'x \\approx 11', true],
    ['4\\pi', 'The area is $4\\pi \\approx 12.57$.', true],
    ['-1', 'Thus $f(2) = -1$.', true],
    ['-1', 'Thus $f(2) = 1$.', false],
    ['2x + z = 1', '1', false],
    ['72', 'So she sold $48 + 24 = 72$ clips.', true],
    ['70', 'So she sold $48 + 24 = 72$ clips.', false],
    ['$10/9$', 'Answer $ \\frac{1}{2} \\$ = \\frac{10}{9} $', true],
    ['7 = 11a + c', '11a + c', false],
  ]);
});

test('sets and lists of tuples in any order; repeats do not count; a tuple against its set', () => {
  check([
    ['(1, 2), (2, 1)', '(2,1),(1,2)', true],
    ['(11,7)or(7,11)', '(7,11), (11,7)', true],
    ['(0;0;6),(4;-2;0)', '(4, -2, 0), (0, 0, 6)', true],
    ['p=5,q=2;p=7,q=2', '(5,2),(7,2)', true],
    ['p=5,q=2;p=7,q=2', '(5,2),(2,7)', false],
    ['1, 1, 2', '2, 1', true],
    ['(1,3)', '\\{1,3\\}', true],
    ['(3,1)', '\\{1,3\\}', false],
    ['(1, 2), (2, 1)', '(1, 2)', false],
  ]);
});

test('numbers: thousands separators, decimal commas, currency, units, factorial', () => {
  check([
    ['7425000', '7,425,000', true],
    ['1000.99', '1000,99', true],
    ['1,22', '1.22', true],
    ['0,111', '0.111', true],
    ['1,22', '1.23', false],
    ['16386.20', '\\boxed{\\$16,\\!386.20}', true],
    ['11111111100', '\\boxed{11,\\! 111,\\! 111,\\! 100}', true],
    ['14916', 'The final answer is $14 {, }916$. I hope it is correct.', true],
    ['35, 4', '\\\\boxed{35 cm} ++++++ \\\\boxed{4}', true],
    ['120', '5!', true],
    ['0', 'The answer is zero.', true],
    ['3', 'The answer is three.', true],
    ['3', 'The answer is four.', false],
    ['2', 'The remainder is $2 \\pmod 5$.', true],
    ['2', 'The remainder is $3 \\pmod{5}$.', false],
    ['\\frac{1}{3}', '0.333', false],
  ]);
});

test('over-escaped LaTeX (doubled backslashes) and bracketed matrices', () => {
  check([
    ['\\\\left(\\\\frac{1}{5},\\\\frac{1}{6}\\\\right)', '\\left( \\frac{1}{5}, \\frac{1}{6} \\right)', true],
    [
      '\\begin{pmatrix}1 & 2 \\\\3 & 4\\end{pmatrix}',
      '\\left[\\begin{array}{cc}1 & 2 \\\\3 & 4\\end{array}\\right]',
      true,
    ],
    [
      '\\begin{pmatrix}1 & 2 \\\\3 & 4\\end{pmatrix}',
      '\\left[\\begin{array}{cc}1 & 2 \\\\3 & 5\\end{array}\\right]',
      false,
    ],
  ]);
});

test("decimals against exact values: Math-Verify's float rounding when asked, our significant-digit rule by default", () => {
  check([
    ['\\frac{1}{3}', '0.333333', true],
    ['\\frac{1}{3}', '0.3333', false],
    ['(\\frac{3}{5},\\frac{8}{3}]', '(0.6,2.6667]', false],
  ]);
  check(
    [
      ['(\\frac{3}{5},\\frac{8}{3}]', '(0.6,2.6667]', true],
      ['(\\frac{3}{5},\\frac{8}{3}]', '(0.6,2.66]', false],
      ['\\frac{1}{3}', '0.33', true],
    ],
    { floatRounding: 2 }
  );
});

test('roots on another branch: a real cube root and a principal complex power agree where both are real', () => {
  check([
    ['\\frac{1}{3\\sqrt[3]{x}^2}', '\\frac{1}{3x^{2/3}}', true],
    ['\\sqrt[3]{x}^2', 'x^{2/3}', true],
    ['\\sqrt[3]{x}^2', 'x^{3/2}', false],
    ['\\sqrt{x^2}', 'x', false],
    ['\\sqrt[3]{-8}', '-2', true],
  ]);
});

test('multiple-choice letters, also inside prose', () => {
  check([
    ['B', 'Because B is valid', true],
    ['B', 'Because C is valid', false],
    ['$\\text{(C)}$', '**Answer:** (C)', true],
    ['C', 'The final answer is C. I hope it is correct.', true],
    ['A', 'A and B are both wrong, so the answer is D.', false],
    ['D', 'A and B are both wrong, so the answer is D.', true],
    ['A', 'no letter here', false],
  ]);
});

test('a sum, difference or product of numeric matrices is the matrix it evaluates to', () => {
  const m = (a: string) => `\\begin{pmatrix}${a}\\end{pmatrix}`;
  check([
    [m('6 & 8 \\\\ 10 & 12'), `${m('1 & 2 \\\\ 3 & 4')} + ${m('5 & 6 \\\\ 7 & 8')}`, true],
    [m('6 & 8 \\\\ 10 & 13'), `${m('1 & 2 \\\\ 3 & 4')} + ${m('5 & 6 \\\\ 7 & 8')}`, false],
    [m('19 & 22 \\\\ 43 & 50'), `${m('1 & 2 \\\\ 3 & 4')} ${m('5 & 6 \\\\ 7 & 8')}`, true],
    [m('-4 & -4 \\\\ -4 & -4'), `${m('1 & 2 \\\\ 3 & 4')} - ${m('5 & 6 \\\\ 7 & 8')}`, true],
    [m('1 & 2'), `${m('1 & 2')} + ${m('1 \\\\ 2')}`, false],
  ]);
});
