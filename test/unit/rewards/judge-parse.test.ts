import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { backoffDelayMs, retryAfterMs } from '../../../rewards/judge/backoff.ts';
import { cacheKey } from '../../../rewards/judge/cache.ts';
import { resolveJudgeOptions } from '../../../rewards/judge/options.ts';
import { combinePairwise, outcomeFor } from '../../../rewards/judge/pairwise.ts';
import { parsePairwiseVerdict, parseScalarScore, parseVerifyVerdict } from '../../../rewards/judge/parse.ts';
import { checkTemplate, fillTemplate } from '../../../rewards/judge/templates.ts';

test('scalar: each documented form parses to its value and names its rule', () => {
  const cases: [string, number, string][] = [
    ['Score: 4', 4, 'label'],
    ['The answer is thorough.\n[[3]]', 3, 'brackets'],
    ['-2.5/5', -2.5, 'fraction'],
    ['{"score": -1}', -1, 'json'],
    ['```json\n{"reason": "ok", "Score": "2.5"}\n```', 2.5, 'json'],
    ['**Rating**: −3', -3, 'label'],
    ['score = 2/5', 2, 'label'],
    ['I give it 4 out of 5.', 4, 'fraction'],
    ['5', 5, 'bare'],
    ['[[ -5 ]]', -5, 'brackets'],
  ];
  for (const [text, value, rule] of cases) {
    const p = parseScalarScore(text);
    assert.deepEqual(p, { ok: true, value, rule }, text);
  }
});

test('scalar: the last match of the first matching rule wins', () => {
  // "[[1]]" then "[[4]]": judges conclude last, so 4; brackets outrank the earlier "Score: 2" label.
  const p = parseScalarScore('Score: 2 at first glance. Draft [[1]]. Final: [[4]]');
  assert.deepEqual(p, { ok: true, value: 4, rule: 'brackets' });
});

test('scalar: out of range, other scales and no score are failures, never 0', () => {
  for (const text of [
    '[[7]]',
    'Score: -6',
    '{"score": 10}',
    '8/10',
    'Score: 4/10',
    'good answer',
    '',
    '{"score": "n/a"}',
  ]) {
    const p = parseScalarScore(text);
    assert.equal(p.ok, false, text);
  }
});

test('scalar: a custom range moves the bounds and the accepted denominator', () => {
  assert.deepEqual(parseScalarScore('8/10', { min: 0, max: 10 }), { ok: true, value: 8, rule: 'fraction' });
  assert.equal(parseScalarScore('[[11]]', { min: 0, max: 10 }).ok, false);
});

test('scalar: never throws and any accepted value lies in range (property)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      const p = parseScalarScore(s);
      if (p.ok) assert.ok(p.value >= -5 && p.value <= 5);
    }),
    { numRuns: 500 }
  );
});

test('pairwise: verdict forms', () => {
  const cases: [string, string][] = [
    ['A is richer. [[A>B]]', 'A'],
    ['[[A>>B]]', 'A'],
    ['[[B>A]]', 'B'],
    ['[[A=B]]', 'tie'],
    ['{"winner": "tie"}', 'tie'],
    ['Final verdict: Assistant B', 'B'],
    ['[[B]]', 'B'],
  ];
  for (const [text, v] of cases) {
    const p = parsePairwiseVerdict(text);
    assert.ok(p.ok, text);
    assert.equal(p.value, v, text);
  }
  assert.equal(parsePairwiseVerdict('Both are fine I suppose').ok, false);
  assert.equal(parsePairwiseVerdict('{"winner": "C"}').ok, false);
});

test('verify: General-Verifier decision and fallbacks', () => {
  assert.deepEqual(parseVerifyVerdict('They match after unit conversion.\nFinal Decision: Yes'), {
    ok: true,
    value: true,
    rule: 'decision',
  });
  assert.deepEqual(parseVerifyVerdict('Final Decision: No'), { ok: true, value: false, rule: 'decision' });
  assert.deepEqual(parseVerifyVerdict('{"equivalent": false}'), { ok: true, value: false, rule: 'json' });
  assert.deepEqual(parseVerifyVerdict('[[YES]]'), { ok: true, value: true, rule: 'brackets' });
  assert.deepEqual(parseVerifyVerdict('No.'), { ok: true, value: false, rule: 'bare' });
  assert.equal(parseVerifyVerdict('It depends on the convention.').ok, false);
});

test('pairwise combination: consistent rule and mean rule, from the policy side', () => {
  // Policy shown as A and judge says A → win; shown as B and judge says A → loss.
  assert.equal(outcomeFor('A', 'A'), 'win');
  assert.equal(outcomeFor('A', 'B'), 'loss');
  assert.equal(outcomeFor('tie', 'B'), 'tie');
  assert.equal(combinePairwise('win', 'win'), 1);
  assert.equal(combinePairwise('loss', 'loss'), 0);
  assert.equal(combinePairwise('win', 'loss'), 0.5); // position bias: each order prefers slot A
  assert.equal(combinePairwise('win', 'tie'), 0.5);
  assert.equal(combinePairwise('tie', 'tie'), 0.5);
  // mean: (1 + 0.5) / 2 = 0.75; (0 + 0.5) / 2 = 0.25
  assert.equal(combinePairwise('win', 'tie', 'mean'), 0.75);
  assert.equal(combinePairwise('loss', 'tie', 'mean'), 0.25);
  assert.equal(combinePairwise('win', null), null);
  assert.equal(combinePairwise(null, 'loss', 'consistent', 'single'), 0);
  assert.equal(combinePairwise(null, null, 'consistent', 'single'), null);
});

test('templates: one-pass fill keeps braces in answers and unknown placeholders', () => {
  const out = fillTemplate('Q: {question}\nA: {answer}', {
    question: 'solve {x}',
    answer: 'see {answer} and \\frac{1}{2}',
  });
  assert.equal(out, 'Q: solve {x}\nA: see {answer} and \\frac{1}{2}');
  assert.throws(() => checkTemplate('pairwise', 'Compare {answerA} for {question}'), /lacks \{answerB\}/);
  assert.throws(
    () => resolveJudgeOptions({ baseURL: 'http://x/v1', model: 'm', templates: { scalar: 'rate {answer}' } }),
    /mode 'scalar' lacks \{question\}/
  );
  assert.throws(() => resolveJudgeOptions({ baseURL: 'localhost:8000', model: 'm' }), /baseURL must be an http/);
});

test('backoff: exponential with equal jitter, capped', () => {
  const o = { baseMs: 100, maxMs: 1000 };
  // attempt 0: d = 100 → [50, 100]; attempt 3: d = 800; attempt 5: 3200 capped to 1000 → [500, 1000]
  assert.equal(
    backoffDelayMs(0, o, () => 0),
    50
  );
  assert.equal(
    backoffDelayMs(0, o, () => 0.5),
    75
  ); // 100/2 + 0.5·100/2
  assert.equal(
    backoffDelayMs(3, o, () => 0.5),
    400 + 200
  );
  assert.equal(
    backoffDelayMs(5, o, () => 0),
    500
  );
});

test('Retry-After: ms header, seconds, HTTP date, garbage', () => {
  assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '250' })), 250);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' })), 2000);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now), 3000);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': 'soon' })), undefined);
  assert.equal(retryAfterMs(undefined), undefined);
});

test('cache key: independent of key order, sensitive to every field', () => {
  const a = cacheKey({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 0 });
  const b = cacheKey({ temperature: 0, messages: [{ content: 'x', role: 'user' }], model: 'm' });
  assert.equal(a, b);
  assert.notEqual(a, cacheKey({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 0.1 }));
  assert.notEqual(a, cacheKey({ model: 'm2', messages: [{ role: 'user', content: 'x' }], temperature: 0 }));
  assert.match(a, /^[0-9a-f]{64}$/);
});

test('pairwise and verify parsers never throw on arbitrary text (property)', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      const p = parsePairwiseVerdict(s);
      if (p.ok) assert.ok(['A', 'B', 'tie'].includes(p.value));
      const v = parseVerifyVerdict(s);
      if (v.ok) assert.equal(typeof v.value, 'boolean');
    }),
    { numRuns: 500 }
  );
});
