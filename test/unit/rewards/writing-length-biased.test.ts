import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  LENGTH_BIASED_FULL_CREDIT_WORDS,
  scoreConstraints,
  scoreLengthBiased,
  type WritingConstraint,
} from '../../../rewards/writing/index.ts';

// The writing world's shape: an exact word count plus one more constraint.
const THREE_WITH_COLD: WritingConstraint[] = [
  { type: 'word-count', min: 3, max: 3 },
  { type: 'include-words', words: ['cold'] },
];

test('hand-computed: half constraints, half length credit (8 words = full credit)', () => {
  assert.equal(LENGTH_BIASED_FULL_CREDIT_WORDS, 8);
  // 3 words, both constraints: ½·1 + ½·3/8 = 0.6875
  assert.deepEqual(scoreLengthBiased('wet drops cold', THREE_WITH_COLD), {
    score: 0.6875,
    constraintFraction: 1,
    lengthCredit: 0.375,
  });
  // 6 words: the strict constraints fail the count (0.5), the lenient ones do not: ½·1 + ½·6/8 = 0.875
  const six = 'wet drops cold grey mud storm';
  assert.equal(scoreConstraints(six, THREE_WITH_COLD).score, 0.5);
  assert.equal(scoreLengthBiased(six, THREE_WITH_COLD).score, 0.875);
  // 10 words, credit capped at 1: ½·1 + ½·1 = 1
  assert.equal(scoreLengthBiased('cold cold cold cold cold cold cold cold cold cold', THREE_WITH_COLD).score, 1);
  // too short still fails the minimum: 2 words, no 'cold' → ½·0 + ½·2/8 = 0.125
  assert.equal(scoreLengthBiased('wet drops', THREE_WITH_COLD).score, 0.125);
});

test('a word count with only a maximum becomes no count; other constraints stay strict', () => {
  const maxOnly: WritingConstraint[] = [{ type: 'word-count', max: 2 }, { type: 'no-commas' }];
  // 4 words, no commas: ½·1 + ½·4/8 = 0.75; with a comma the no-commas check fails: ½·0.5 + ½·4/8 = 0.5
  assert.equal(scoreLengthBiased('one two three four', maxOnly).score, 0.75);
  assert.equal(scoreLengthBiased('one, two three four', maxOnly).score, 0.5);
});

test('property: padding an answer with more words never lowers the score under count/include constraints', () => {
  const word = fc.constantFrom('wet', 'cold', 'drops', 'grey', 'mud');
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 12 }), word, (answer, extra) => {
      const before = scoreLengthBiased(answer.join(' '), THREE_WITH_COLD);
      const after = scoreLengthBiased([...answer, extra].join(' '), THREE_WITH_COLD);
      assert.ok(after.score >= before.score, `${answer.join(' ')} + ${extra}`);
      assert.ok(after.score >= 0 && after.score <= 1);
    })
  );
});
