import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  type ConstraintError,
  constraintAccuracy,
  countWords,
  parseConstraints,
  scoreConstraints,
  type WritingConstraint,
} from '../../../rewards/writing/index.ts';

const one = (text: string, c: WritingConstraint) => scoreConstraints(text, [c]).checks[0].satisfied;

test('include/exclude words are whole-word and case-insensitive by default', () => {
  assert.equal(one('The Ocean is wide.', { type: 'include-words', words: ['ocean'] }), true);
  assert.equal(one('Oceanic views.', { type: 'include-words', words: ['ocean'] }), false); // not a whole word
  assert.equal(one('The Ocean.', { type: 'include-words', words: ['ocean'], caseSensitive: true }), false);
  assert.equal(one('a deep  blue\nsea', { type: 'include-words', words: ['blue sea'] }), true); // phrase over whitespace
  assert.equal(one('no clouds here', { type: 'exclude-words', words: ['cloud'] }), true);
  assert.equal(one('a cloud, here', { type: 'exclude-words', words: ['cloud'] }), false);
});

test('counts: words are letter/digit runs joined by apostrophes or hyphens', () => {
  // "It's" 1, "a" 2, "well-known" 3, "fact" 4, "3" 5, "cats" 6
  assert.equal(countWords("It's a well-known fact 3 cats."), 6);
  assert.equal(one('one two three', { type: 'word-count', min: 3, max: 3 }), true);
  assert.equal(one('one two three four', { type: 'word-count', max: 3 }), false);
  const bullets = 'Intro\n- first\n* second\n  • third\n-not a bullet\n';
  assert.equal(scoreConstraints(bullets, [{ type: 'bullet-count', count: 3 }]).checks[0].detail, 'bullets=3');
  assert.equal(one(bullets, { type: 'bullet-count', count: 3 }), true);
  assert.equal(one('p1 line\nstill p1\n\n  \np2\n\np3', { type: 'paragraph-count', count: 3 }), true);
});

test('starts-with / ends-with tolerate quotes and final punctuation, but need a whole word', () => {
  assert.equal(one('The storm passed. Goodbye.', { type: 'ends-with', text: 'goodbye' }), true);
  assert.equal(one('…he said "farewell!"', { type: 'ends-with', text: 'farewell' }), true);
  assert.equal(one('water flows bellow', { type: 'ends-with', text: 'below' }), false);
  assert.equal(one('water flows xbelow', { type: 'ends-with', text: 'below' }), false);
  assert.equal(one('  "Once upon a time', { type: 'starts-with', text: 'once upon' }), true);
});

test('no-commas, case, json-format', () => {
  assert.equal(one('a b c', { type: 'no-commas' }), true);
  assert.equal(one('a, b', { type: 'no-commas' }), false);
  assert.equal(one('all lower 123', { type: 'case', case: 'lower' }), true);
  assert.equal(one('Not lower', { type: 'case', case: 'lower' }), false);
  assert.equal(one('```json\n{"a": 1}\n```', { type: 'json-format' }), true);
  assert.equal(one('{"a": 1', { type: 'json-format' }), false);
});

test('score is the fraction satisfied; accuracy maps it linearly onto the verifiable scale', () => {
  const text = 'Roses are red.\n- one\n- two\nThe end';
  const s = scoreConstraints(text, [
    { type: 'include-words', words: ['roses'] }, // ✓
    { type: 'bullet-count', count: 3 }, // ✗ (2 bullets)
    { type: 'ends-with', text: 'end' }, // ✓
    { type: 'no-commas' }, // ✓
  ]);
  assert.equal(s.score, 3 / 4);
  // GZ ±1: −1 + 0.75·2 = 0.5; OT 1/0: 0 + 0.75·1 = 0.75
  assert.equal(constraintAccuracy(s.score, { correct: 1, incorrect: -1 }), 0.5);
  assert.equal(constraintAccuracy(s.score, { correct: 1, incorrect: 0 }), 0.75);
});

test('invalid records are rejected with every problem and its position', () => {
  assert.throws(
    () =>
      parseConstraints([
        { type: 'word-count', min: 10, max: 5 },
        { type: 'rhymes' },
        { type: 'include-words', words: [] },
      ]),
    (e: ConstraintError) =>
      /constraints\[0\]\.min: must be ≤ max/.test(e.message) &&
      /constraints\[1\]\.type: unknown constraint type "rhymes"/.test(e.message) &&
      /constraints\[2\]\.words/.test(e.message)
  );
  assert.throws(() => parseConstraints([]), /non-empty array/);
  const ok = parseConstraints(JSON.parse('[{"type":"bullet-count","count":3},{"type":"ends-with","text":"X"}]'));
  assert.equal(ok.length, 2);
});

test('property: score is always in [0,1] and a multiple of 1/n; never throws on any text', () => {
  const cs: WritingConstraint[] = [
    { type: 'include-words', words: ['a(b', 'x.y'] },
    { type: 'word-count', min: 1, max: 50 },
    { type: 'bullet-count', min: 0, max: 2 },
    { type: 'ends-with', text: 'end' },
    { type: 'json-format' },
  ];
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (text) => {
      const { score } = scoreConstraints(text, cs);
      assert.ok(score >= 0 && score <= 1);
      assert.ok(Number.isInteger(Math.round(score * cs.length * 1e9) / 1e9));
    }),
    { numRuns: 300 }
  );
});
