import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RlInputError } from '../../../rl/errors.ts';
import { formatReward, tagsReward } from '../../../rl/format-reward.ts';
import { GZ_TEMPLATE, OT_TEMPLATE, parseResponse } from '../../../rl/template.ts';

const PREFILLED = { ...OT_TEMPLATE, thinkOpenPrefilled: true };

test('GZ template: both blocks once, in order, whitespace between: well formed, contents verbatim', () => {
  const p = parseResponse('<thinking> add 2 and 2 </thinking> <answer> 4 </answer>', GZ_TEMPLATE);
  assert.equal(p.think, ' add 2 and 2 ');
  assert.equal(p.answer, ' 4 ');
  assert.deepEqual(p.counts, { thinkOpen: 1, thinkClose: 1, answerOpen: 1, answerClose: 1 });
  assert.equal(p.tagsPresent, 4);
  assert.equal(p.wellFormed, true);
  assert.equal(formatReward(p), 1);
  assert.equal(tagsReward(p), 1);
});

test('OT template with newlines around the blocks is well formed; GZ tags in it are not recognised', () => {
  const text = '\n<think>x</think>\n<answer>42</answer>\n';
  assert.equal(parseResponse(text, OT_TEMPLATE).wellFormed, true);
  assert.equal(parseResponse(text).answer, '42', 'OT tags are the default');
  const asGz = parseResponse(text, GZ_TEMPLATE);
  assert.equal(asGz.tagsPresent, 2, '<answer> and </answer> are shared with GZ; <thinking> and </thinking> are absent');
  assert.equal(asGz.think, null);
  assert.equal(asGz.wellFormed, false);
});

test('a pre-filled <think> counts as present; the response starts inside the think block', () => {
  const p = parseResponse('reasoning</think><answer>7</answer>', PREFILLED);
  assert.equal(p.think, 'reasoning');
  assert.equal(p.answer, '7');
  assert.equal(p.counts.thinkOpen, 1);
  assert.equal(p.wellFormed, true);
  // Without the option, the same text is missing its opener.
  const q = parseResponse('reasoning</think><answer>7</answer>', OT_TEMPLATE);
  assert.equal(q.think, null);
  assert.equal(q.tagsPresent, 3);
  assert.equal(q.wellFormed, false);
});

test('a pre-filled <think> written again by the model is a duplicate', () => {
  const p = parseResponse('<think>r</think><answer>7</answer>', PREFILLED);
  assert.equal(p.counts.thinkOpen, 2);
  assert.equal(p.eachOnce, false);
  assert.equal(p.wellFormed, false);
  assert.equal(p.think, '<think>r', 'the block runs from the start, where the pre-filled tag put it');
});

test('anything but whitespace outside the blocks fails the format, wherever it is', () => {
  for (const text of [
    'Sure! <think>t</think><answer>a</answer>',
    '<think>t</think> so: <answer>a</answer>',
    '<think>t</think><answer>a</answer> hope this helps',
  ]) {
    const p = parseResponse(text);
    assert.equal(p.think, 't', text);
    assert.equal(p.answer, 'a', text);
    assert.equal(p.eachOnce && p.ordered && p.closed, true, text);
    assert.equal(p.onlyWhitespaceOutside, false, text);
    assert.equal(formatReward(p), 0, text);
  }
});

test('a response cut by the window (no closing answer tag) has no answer and fails the format', () => {
  const p = parseResponse('<think>abc</think><answer>partial');
  assert.equal(p.think, 'abc');
  assert.equal(p.answer, null);
  assert.equal(p.closed, false);
  assert.equal(p.tagsPresent, 3);
  assert.equal(formatReward(p), 0);
  assert.equal(tagsReward(p), 0.75); // 3 markers of 4
  const q = parseResponse('<think>still thinking');
  assert.equal(q.think, null);
  assert.equal(q.answer, null);
  assert.equal(tagsReward(q), 0.25); // 1 of 4
});

test('blocks in the wrong order: not ordered, and no answer is taken from before the reasoning', () => {
  const p = parseResponse('<answer>1</answer><think>x</think>');
  assert.equal(p.eachOnce, true);
  assert.equal(p.ordered, false);
  assert.equal(p.think, 'x');
  assert.equal(p.answer, null);
  assert.equal(p.wellFormed, false);
});

test('the last answer block after the reasoning wins; one drafted inside the reasoning is ignored', () => {
  const twice = parseResponse('<think>t</think><answer>1</answer><answer>2</answer>');
  assert.equal(twice.answer, '2');
  assert.equal(twice.counts.answerOpen, 2);
  assert.equal(twice.wellFormed, false);
  const drafted = parseResponse('<think>maybe <answer>1</answer></think><answer>2</answer>');
  assert.equal(drafted.answer, '2');
  assert.equal(drafted.think, 'maybe <answer>1</answer>');
  assert.equal(drafted.wellFormed, false, 'the answer tags occur twice');
});

test('empty response: nothing present, score 0', () => {
  const p = parseResponse('');
  assert.equal(p.tagsPresent, 0);
  assert.equal(p.think, null);
  assert.equal(p.answer, null);
  assert.equal(p.onlyWhitespaceOutside, true);
  assert.equal(formatReward(p), 0);
  assert.equal(tagsReward(p), 0);
});

test('empty blocks are still well formed (content is the task verifier’s business)', () => {
  const p = parseResponse('<think></think><answer></answer>');
  assert.equal(p.think, '');
  assert.equal(p.answer, '');
  assert.equal(p.wellFormed, true);
});

test('bad tag options are rejected with the field named', () => {
  assert.throws(() => parseResponse('x', { thinkTag: '<think>' }), RlInputError);
  assert.throws(() => parseResponse('x', { thinkTag: 'th ink' }), /template\.thinkTag/);
  assert.throws(() => parseResponse('x', { thinkTag: '' }), /template\.thinkTag/);
  assert.throws(() => parseResponse('x', { thinkTag: 'a', answerTag: 'a' }), /must differ/);
});

const tagFree = fc.string({ maxLength: 40 }).filter((s) => !s.includes('<'));
const blank = fc.constantFrom('', ' ', '\n', ' \n\t ');

test('property: any tag-free contents round-trip through a well-formed response', () => {
  fc.assert(
    fc.property(tagFree, tagFree, blank, blank, blank, (think, answer, pre, mid, post) => {
      const p = parseResponse(
        `${pre}<thinking>${think}</thinking>${mid}<answer>${answer}</answer>${post}`,
        GZ_TEMPLATE
      );
      assert.equal(p.think, think);
      assert.equal(p.answer, answer);
      assert.equal(p.wellFormed, true);
    })
  );
});

test('property: a non-blank prefix or suffix always fails the format', () => {
  const junk = tagFree.filter((s) => s.trim() !== '');
  fc.assert(
    fc.property(tagFree, tagFree, junk, fc.boolean(), (think, answer, extra, before) => {
      const body = `<think>${think}</think><answer>${answer}</answer>`;
      const p = parseResponse(before ? extra + body : body + extra);
      assert.equal(p.wellFormed, false);
      assert.equal(p.answer, answer);
    })
  );
});

test('property: any mix of tag fragments and text parses without throwing, and the report is self-consistent', () => {
  const piece = fc.oneof(
    fc.constantFrom('<think>', '</think>', '<answer>', '</answer>', '<think', 'answer>', '</', ' ', '\n'),
    fc.string({ maxLength: 6 })
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 14 }), fc.boolean(), (pieces, prefilled) => {
      const text = pieces.join('');
      const p = parseResponse(text, { thinkOpenPrefilled: prefilled });
      assert.equal(p.tagsPresent, Object.values(p.counts).filter((n) => n > 0).length);
      if (p.think !== null) assert.ok(text.includes(`${p.think}</think>`));
      if (p.answer !== null) assert.ok(text.includes(`<answer>${p.answer}</answer>`));
      if (p.wellFormed) {
        assert.equal(p.tagsPresent, 4);
        const expected = `${prefilled ? '' : '<think>'}${p.think}</think>`;
        // With the think tag prefilled the response opens inside the thinking, so leading blanks are part of it.
        assert.ok((prefilled ? text : text.trimStart()).startsWith(expected), text);
        assert.ok(text.trimEnd().endsWith(`<answer>${p.answer}</answer>`), text);
      }
    }),
    { numRuns: 500 }
  );
});
