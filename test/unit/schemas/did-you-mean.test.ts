import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { didYouMean, editDistance } from '../../../schemas/did-you-mean.ts';

test('edit distance counts insertions, deletions, substitutions and adjacent swaps as one', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3); // k→s, e→i, +g
  assert.equal(editDistance('abcd', 'abdc'), 1); // one transposition
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('same', 'same'), 0);
});

test('suggests across snake_case, kebab-case and typos', () => {
  const known = ['learningRate', 'miniBatchSize', 'gradClip', 'epochs'];
  assert.equal(didYouMean('lerning_rate', known), 'learningRate');
  assert.equal(didYouMean('mini-batch-size', known), 'miniBatchSize');
  assert.equal(didYouMean('LearningRate', known), 'learningRate');
  assert.equal(didYouMean('epocs', known), 'epochs');
});

test('suggests the known name a truncated one begins', () => {
  assert.equal(didYouMean('apiKey', ['model', 'apiKeyEnv', 'baseURL']), 'apiKeyEnv');
  assert.equal(didYouMean('steps', ['stepsPerStage', 'stages', 'kind']), 'stepsPerStage');
});

test('does not invent suggestions for unrelated names', () => {
  assert.equal(didYouMean('lr', ['seed', 'name']), undefined);
  assert.equal(didYouMean('banana', ['learningRate', 'gradClip']), undefined);
  assert.equal(didYouMean('', ['a']), undefined);
});

test('any suggestion is one of the known names', () => {
  fc.assert(
    fc.property(fc.string(), fc.array(fc.string({ minLength: 1 }), { maxLength: 8 }), (name, known) => {
      const s = didYouMean(name, known);
      return s === undefined || known.includes(s);
    })
  );
});
