import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ByteTokenizer } from '../../../engine/tokenizer/byte.ts';

const TAGS = ['<think>', '</think>', '<answer>', '</answer>'];

/** Any well-formed Unicode string (fast-check's `unit: 'binary'` strings are ~40× slower to generate). */
const unicodeString = (maxLength = 30) =>
  fc
    .array(
      fc.oneof(
        fc.integer({ min: 0x20, max: 0x7e }),
        fc.integer({ min: 0, max: 0xd7ff }),
        fc.integer({ min: 0xe000, max: 0x10ffff })
      ),
      { maxLength }
    )
    .map((cps) => String.fromCodePoint(...cps));

test('ids are the UTF-8 bytes; specials follow at 256..258 and tags at 259..', () => {
  const tok = new ByteTokenizer({ tagTokens: TAGS });
  // 'é' is U+00E9 = UTF-8 C3 A9 = [195, 169]; '€' is E2 82 AC.
  assert.deepEqual(tok.encode('Aé€'), [65, 195, 169, 226, 130, 172]);
  assert.deepEqual([tok.padId, tok.bosId, tok.eosId], [256, 257, 258]);
  assert.equal(tok.vocabSize, 259 + 4);
  assert.deepEqual(tok.encode('<think>hi</think><answer>4</answer>'), [259, 104, 105, 260, 261, 52, 262]);
  assert.equal(tok.tokenToId('</answer>'), 262);
  assert.equal(tok.tokenToId('<eos>'), 258);
  assert.equal(tok.tokenToId('<nope>'), undefined);
});

test('without tags the tag text is plain bytes, and the id names the vocabulary', () => {
  const plain = new ByteTokenizer();
  assert.equal(plain.id, 'byte-v1');
  assert.equal(plain.vocabSize, 259);
  assert.equal(plain.encode('<think>').length, 7);
  const tagged = new ByteTokenizer({ tagTokens: TAGS });
  assert.equal(tagged.id, 'byte-v1:["<think>","</think>","<answer>","</answer>"]');
  assert.notEqual(new ByteTokenizer({ tagTokens: ['</think>', '<think>'] }).id, tagged.id);
});

test('longest tag wins where tags share a prefix', () => {
  const tok = new ByteTokenizer({ tagTokens: ['<a', '<ab>'] });
  // '<ab>' (260) beats '<a' (259); then '<a' + 'x'.
  assert.deepEqual(tok.encode('<ab><ax'), [260, 259, 120]);
});

test('property: decode(encode(s)) === s for any well-formed Unicode string, with and without tags', () => {
  const tagged = new ByteTokenizer({ tagTokens: TAGS });
  const plain = new ByteTokenizer();
  const withTags = fc
    .array(fc.oneof(unicodeString(), fc.constantFrom(...TAGS, '<', '</', '👩‍💻', 'e\u0301')), {
      maxLength: 8,
    })
    .map((parts) => parts.join(''));
  fc.assert(
    fc.property(withTags, (s) => {
      assert.equal(tagged.decode(tagged.encode(s)), s);
      assert.equal(plain.decode(plain.encode(s)), s);
    }),
    { numRuns: 300 }
  );
});

test('property: every id of an encoding is inside the vocabulary and tags cost one id', () => {
  const tok = new ByteTokenizer({ tagTokens: TAGS });
  fc.assert(
    fc.property(unicodeString(), fc.constantFrom(...TAGS), (s, tag) => {
      const ids = tok.encode(s);
      assert.ok(ids.every((id) => id >= 0 && id < tok.vocabSize && id !== tok.padId && id !== tok.eosId));
      // The tag's id follows s's own encoding unless s ends with a prefix that, joined to the tag, forms another tag.
      const joined = tok.encode(s + tag);
      if (!TAGS.some((t) => (s + tag).endsWith(t) && t.length > tag.length)) {
        assert.deepEqual(joined, [...tok.encode(s), tok.tokenToId(tag)]);
      }
    }),
    { numRuns: 300 }
  );
});

test('lone surrogates are not Unicode: they encode as U+FFFD (EF BF BD), like TextEncoder', () => {
  const tok = new ByteTokenizer();
  assert.deepEqual(tok.encode('a\uD800b'), [97, 0xef, 0xbf, 0xbd, 98]);
});

test('decode drops pad/bos/eos, replaces invalid UTF-8 with U+FFFD, and refuses ids outside the vocabulary', () => {
  const tok = new ByteTokenizer({ tagTokens: TAGS });
  assert.equal(tok.decode([257, 104, 105, 258, 256, 256]), 'hi');
  // A sample cut in the middle of 'é' (C3 A9): the lone C3 cannot be decoded.
  assert.equal(tok.decode([104, 0xc3]), 'h\uFFFD');
  assert.throws(() => tok.decode([263]), /id 263 is outside the vocabulary 0..262/);
  assert.throws(() => tok.decode([-1]), /outside the vocabulary/);
  assert.throws(() => tok.decode([1.5]), /outside the vocabulary/);
});

test('bad tag lists are refused with the reason', () => {
  assert.throws(() => new ByteTokenizer({ tagTokens: ['<a>', '<a>'] }), /'<a>' is listed twice/);
  assert.throws(() => new ByteTokenizer({ tagTokens: [''] }), /cannot be empty/);
  assert.throws(() => new ByteTokenizer({ tagTokens: ['\uDC00x'] }), /lone surrogate/);
});

test('a chat template renders with empty special-token text; without one applyChatTemplate says what to pass', () => {
  const template =
    '{% for m in messages %}{{ m.role }}: {{ m.content }}{{ eos_token }}\n{% endfor %}{% if add_generation_prompt %}assistant: <think>{% endif %}';
  const tok = new ByteTokenizer({ tagTokens: TAGS, chatTemplate: template });
  const text = tok.applyChatTemplate([{ role: 'user', content: '2+2?' }]);
  assert.equal(text, 'user: 2+2?\nassistant: <think>');
  assert.equal(tok.encode(text).at(-1), tok.tokenToId('<think>'));
  assert.throws(() => new ByteTokenizer().applyChatTemplate([]), /pass 'chatTemplate'/);
});
