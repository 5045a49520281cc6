import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCorpus } from '../../../engine/train/corpus.ts';
import { tokenizer } from './_helpers.ts';

test('jsonl {prompt, response}: BOS + prompt, response + EOS scored; {text} rows score everything', () => {
  const text = '{"prompt":"1+2=","response":"<answer>3</answer>"}\n\n{"text":"12+3"}\n';
  const { examples, stats } = parseCorpus(text, 'jsonl', tokenizer, 64);
  assert.equal(stats.rows, 2);
  assert.deepEqual(examples[0].prompt, [tokenizer.bosId, ...tokenizer.encode('1+2=')]);
  assert.deepEqual(examples[0].response, [...tokenizer.encode('<answer>3</answer>'), tokenizer.eosId]);
  assert.deepEqual(examples[1].prompt, [tokenizer.bosId]);
  assert.deepEqual(examples[1].response, [...tokenizer.encode('12+3'), tokenizer.eosId]);
  // Row 1: BOS + 4 prompt tokens + (<answer>, 3, </answer>, EOS) = 9; row 2: BOS + 4 digits/signs + EOS = 6.
  assert.equal(stats.tokens, 15);
});

test('txt lines longer than the window are cut into window-sized pieces', () => {
  // 9 digits + EOS = 10 scored tokens, window 5 → BOS + 4 per piece → 3 pieces (4, 4, 2).
  const { examples, stats } = parseCorpus('123456789\n', 'txt', tokenizer, 5);
  assert.deepEqual(
    examples.map((e) => e.response.length),
    [4, 4, 2]
  );
  assert.equal(stats.split, 1);
  assert.ok(examples.every((e) => e.prompt.length + e.response.length <= 5));
});

test('bad rows name the line and what to fix', () => {
  assert.throws(() => parseCorpus('{"prompt":"1"}\n', 'jsonl', tokenizer, 64), /line 1: expected string fields/);
  assert.throws(() => parseCorpus('nope\n', 'jsonl', tokenizer, 64), /line 1: not JSON/);
  assert.throws(
    () => parseCorpus('{"prompt":"1+1=","response":"22222222"}\n', 'jsonl', tokenizer, 8),
    /line 1: 14 tokens exceed the model's 8/
  );
  assert.throws(() => parseCorpus('\n\n', 'txt', tokenizer, 8), /no examples/);
});
