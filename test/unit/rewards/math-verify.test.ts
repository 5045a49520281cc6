/** verifyMath's contract: extraction, options (percent policy, tolerance, approximations), paths, never throwing. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractAnswer, verifyMath, warmUpCas } from '../../../rewards/math/index.ts';

test('extractAnswer: answer tag, last balanced \\boxed, \\boxed x, custom tag, truncation', () => {
  assert.equal(
    extractAnswer('<think>\\boxed{1}</think><answer>\\boxed{\\frac{1}{2}} or \\boxed{\\frac{\\sqrt{3}}{2}}</answer>'),
    '\\frac{1}{2}, \\frac{\\sqrt{3}}{2}',
    'boxes joined by "or" are one answer (a hedge, which a single gold value does not match)'
  );
  assert.equal(extractAnswer('\\boxed{3} is wrong, it is \\boxed{4}'), '4', 'prose between boxes separates them');
  assert.equal(extractAnswer('<answer>\\boxed 12</answer>'), '12');
  assert.equal(extractAnswer('<answer>\\boxed{\\{1,2\\}}</answer>'), '\\{1,2\\}');
  assert.equal(extractAnswer('<ans>7</ans>', { answerTag: 'ans' }), '7');
  assert.equal(
    extractAnswer('<answer>7</answer><answer>8'),
    '7',
    'a cut-off last block falls back to the complete one'
  );
  assert.equal(extractAnswer('<answer>8'), null);
  assert.equal(extractAnswer('<answer>\\boxed{8</answer>'), null);
  assert.equal(extractAnswer('<answer>   </answer>'), null);
  assert.equal(extractAnswer('Thus, the final answer is $\\frac{3}{4}$.'), '\\frac{3}{4}');
  assert.equal(extractAnswer('The answer is 5.'), '5');
});

test('percent policies: lenient (default), strip, fraction, strict', () => {
  const cases: [string, string][] = [
    ['50\\%', '50'],
    ['50\\%', '0.5'],
    ['50\\%', '50%'],
  ];
  const expected: Record<string, boolean[]> = {
    lenient: [true, true, true],
    strip: [true, false, true],
    fraction: [false, true, true],
    strict: [false, false, true],
  };
  for (const [policy, want] of Object.entries(expected)) {
    const got = cases.map(([g, p]) => verifyMath(g, p, { percentPolicy: policy as any }).equivalent);
    assert.deepEqual(got, want, policy);
  }
});

test('decimals: exact by default, relativeTolerance for science answers, approximations need 6 significant digits', () => {
  assert.equal(verifyMath('26.3', '26.32').equivalent, false);
  // |26.32 − 26.3| / 26.32 = 7.6e-4 ≤ 1e-3
  assert.equal(verifyMath('26.3', '26.32', { relativeTolerance: 1e-3 }).equivalent, true);
  assert.equal(verifyMath('26.3', '26.32', { relativeTolerance: 1e-4 }).equivalent, false);
  assert.equal(verifyMath('\\frac{1}{7}', '0.142857').equivalent, true); // 1/7 = 0.1428571…, 6 sig. digits, rounded
  assert.equal(
    verifyMath('\\frac{1}{7}', '0.142857', { approxMinSignificantDigits: Number.POSITIVE_INFINITY }).equivalent,
    false
  );
  assert.equal(verifyMath('\\frac{1}{7}', '0.142858').equivalent, false); // not the correctly rounded value
  assert.equal(verifyMath('0.1', '0.10000000001').equivalent, false); // both exact: no float tolerance
});

test('reports which stage decided', () => {
  assert.ok(warmUpCas());
  assert.equal(verifyMath('3', '3.0').path, 'fast');
  assert.equal(verifyMath('\\frac{1}{2}', '0.5').path, 'fast');
  assert.equal(verifyMath('2^{10}', '1024').path, 'cas'); // exact rational evaluation
  assert.equal(verifyMath('\\sqrt{2}', '2^{1/2}').path, 'numeric');
  assert.equal(verifyMath('(x+1)^2', 'x^2+2x+1').path, 'numeric');
  assert.equal(verifyMath('(x+1)^2', 'x^2+2x+1', { casFirst: true, timeoutMs: 10_000 }).path, 'cas');
  assert.equal(verifyMath('\\{1,2\\}', '\\{2,1\\}').path, 'structural');
  assert.equal(verifyMath('5', '<answer></answer>').path, 'none');
});

test('never throws on wrong types or empty input, and says why', () => {
  for (const [g, p] of [
    [null, '1'],
    ['1', undefined],
    [{}, []],
    ['', '1'],
    ['1', ''],
  ] as [any, any][]) {
    const v = verifyMath(g, p);
    assert.equal(v.equivalent, false);
    assert.ok(v.reason.length > 0);
  }
  const v = verifyMath('1', '1', { timeoutMs: -5, percentPolicy: 'nonsense' as any });
  assert.equal(v.equivalent, true, 'bad options fall back to defaults');
});

test('returns the extracted answer and the elapsed time', () => {
  const v = verifyMath('4', '<think>2+2</think><answer>\\boxed{4}</answer>');
  assert.equal(v.extracted, '4');
  assert.ok(v.ms >= 0 && v.ms < 1000);
});
