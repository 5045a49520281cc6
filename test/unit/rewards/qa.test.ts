/** The OT short-form QA matcher and prompt builder (OT §3.1). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildQaPrompt, matchQa, normalizeQa, QaPromptError, shuffleCandidates } from '../../../rewards/qa/index.ts';
import { textSeededRandom } from '../../../rl/random.ts';

test('normalizeQa: case, punctuation, articles, whitespace, NFKC, curly quotes and dashes', () => {
  assert.equal(normalizeQa('  The   Eiffel Tower. '), 'eiffel tower');
  assert.equal(normalizeQa('An “apple” — a fruit'), 'apple fruit');
  assert.equal(normalizeQa('ﬁne'), 'fine'); // NFKC ligature
  assert.equal(normalizeQa('Rock‐and‐roll'), normalizeQa('rock-and-roll'));
  assert.equal(normalizeQa('Newton’s law'), normalizeQa("Newton's law"));
  assert.equal(normalizeQa('U.S.A.'), 'usa');
  assert.equal(normalizeQa('1,000 years'), '1000 years');
});

test('normalizeQa keeps what changes meaning: decimal points, signs, symbols', () => {
  assert.notEqual(normalizeQa('3.5'), normalizeQa('35'));
  assert.notEqual(normalizeQa('-5 °C'), normalizeQa('5 °C'));
  assert.notEqual(normalizeQa('C++'), normalizeQa('C'));
});

test('matchQa: gold string or gold set, answer tags, boxed/text wrapping, never throws', () => {
  assert.equal(matchQa('the mitochondria', 'Mitochondria'), true);
  assert.equal(matchQa('Nucleus', ['mitochondria', 'nucleus']), true);
  assert.equal(matchQa('Ribosome', ['mitochondria', 'nucleus']), false);
  assert.equal(matchQa('<think>…</think><answer>\\boxed{\\text{Mitochondria}}</answer>', ['mitochondria']), true);
  assert.equal(matchQa('mitochondria and nucleus', ['mitochondria']), false);
  assert.equal(matchQa('', ['']), false);
  assert.equal(matchQa('the', ['a']), false, 'an answer that normalises to nothing never matches');
  assert.equal(matchQa('x', []), false);
  assert.equal(matchQa(null as any, 'x'), false);
  assert.equal(matchQa('x', [null as any, 'x']), true);
});

test('buildQaPrompt: options as plain text, no letters or positions, seeded order', () => {
  const prompt = buildQaPrompt('Which organelle makes ATP?', ['Mitochondria', 'Nucleus', 'Ribosome'], 7);
  const options = /\nOptions: (.*)\n/.exec(prompt)?.[1];
  assert.ok(options, prompt);
  assert.deepEqual(options.split('; ').sort(), ['Mitochondria', 'Nucleus', 'Ribosome']);
  assert.doesNotMatch(prompt, /\b[A-D][).:]\s|\(\w\)|\b\d\.\s/);
  assert.ok(prompt.startsWith('Which organelle makes ATP?\n\nOptions: '));
  assert.ok(prompt.includes('<answer>'));
  assert.equal(
    buildQaPrompt('Q?', ['a', 'b', 'c'], 'seed-1'),
    buildQaPrompt('Q?', ['c', 'b', 'a'].reverse(), 'seed-1')
  );
});

test('buildQaPrompt rejects unusable input with the field to fix', () => {
  assert.throws(() => buildQaPrompt('', ['a'], 1), QaPromptError);
  assert.throws(() => buildQaPrompt('Q?', [], 1), /candidates: give at least one/);
  assert.throws(() => buildQaPrompt('Q?', ['a', ' '], 1), /candidates\[1\]/);
  assert.throws(() => buildQaPrompt('Q?', ['a; b', 'c'], 1), /separator/);
  assert.match(buildQaPrompt('Q?', ['a; b', 'c'], 1, { separator: ' | ' }), /Options: (a; b \| c|c \| a; b)/);
});

test('property: normalisation is idempotent', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 80, unit: 'grapheme' }), (s) => {
      const once = normalizeQa(s);
      assert.equal(normalizeQa(once), once);
    }),
    { numRuns: 1000 }
  );
});

test('property: any answer matches itself, its case and spacing variants, and a gold set containing it', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }), (s, others) => {
      fc.pre(normalizeQa(s) !== '');
      assert.equal(matchQa(s, s), true);
      const variant = `  ${s.toUpperCase()}  `;
      if (normalizeQa(variant) === normalizeQa(s)) assert.equal(matchQa(variant, [...others, s]), true);
    }),
    { numRuns: 500 }
  );
});

test('property: the shuffle is a permutation and the same seed gives the same order', () => {
  fc.assert(
    fc.property(fc.array(fc.string(), { maxLength: 20 }), fc.oneof(fc.integer(), fc.string()), (items, seed) => {
      const a = shuffleCandidates(items, seed);
      assert.deepEqual([...a].sort(), [...items].sort());
      assert.deepEqual(shuffleCandidates(items, seed), a);
    }),
    { numRuns: 500 }
  );
});

test('the shuffle moves the gold answer: each of 4 positions gets 15–35% over 2,000 seeds', () => {
  const counts = [0, 0, 0, 0];
  for (let seed = 0; seed < 2000; seed++) counts[shuffleCandidates(['gold', 'b', 'c', 'd'], seed).indexOf('gold')]++;
  for (const c of counts) assert.ok(c > 300 && c < 700, `positions ${counts}`);
});

test('textSeededRandom: same seed same stream, values in [0, 1)', () => {
  const a = textSeededRandom('x');
  const b = textSeededRandom('x');
  for (let k = 0; k < 100; k++) {
    const v = a();
    assert.equal(v, b());
    assert.ok(v >= 0 && v < 1);
  }
  assert.notEqual(textSeededRandom('x')(), textSeededRandom('y')());
});
