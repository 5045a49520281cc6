import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { extractProgram } from '../../../rewards/sandbox/extract.ts';

const fence = (label: string, body: string) => '```' + label + '\n' + body + '\n```';

test('takes the last python block of the answer', () => {
  const text = `<think>draft:\n${fence('python', 'print(1)')}</think>\n<answer>${fence('python', 'print(2)')}\nthen\n${fence('python', 'print(3)')}</answer>`;
  assert.equal(extractProgram(text), 'print(3)\n');
});

test('a ```py block counts as python', () => {
  const text = `<answer>${fence('py', 'x = 1')}</answer>`;
  assert.equal(extractProgram(text), 'x = 1\n');
});

test('without answer tags, the last python block of the whole text', () => {
  const text = `Here:\n${fence('python3', 'a = 1')}\nand better:\n${fence('Python', 'a = 2\nprint(a)')}\n`;
  assert.equal(extractProgram(text), 'a = 2\nprint(a)\n');
});

test('a python block is preferred to a later unlabelled one; an unlabelled one is used when it is the only fence', () => {
  assert.equal(extractProgram(`${fence('python', 'p = 1')}\n${fence('', 'text')}`), 'p = 1\n');
  assert.equal(extractProgram(fence('', 'q = 2')), 'q = 2\n');
  assert.equal(extractProgram(fence('cpp', 'int main(){}')), null);
});

test('no fence: the answer content, trimmed', () => {
  assert.equal(extractProgram('<think>hm</think><answer>\n  print(42)  \n</answer>'), 'print(42)\n');
});

test('nothing to run gives null', () => {
  assert.equal(extractProgram('I do not know'), null);
  assert.equal(extractProgram('<answer>   </answer>'), null);
  // A truncated response: the fence never closes.
  assert.equal(extractProgram('```python\nprint(1)\n'), null);
});

test('indentation inside the block is kept', () => {
  const body = 'def f(x):\n    if x:\n        return 1\n    return 0';
  assert.equal(extractProgram(fence('python', body)), `${body}\n`);
});

test('the answer tag name is configurable', () => {
  assert.equal(extractProgram('<final>print(7)</final>', { answerTag: 'final' }), 'print(7)\n');
});

test('property: a fenced python body without backticks comes back exactly (up to trailing whitespace)', () => {
  const line = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '(', ')', '=', '1', ':', '"', '\t') });
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (lines) => {
      const body = lines.join('\n');
      fc.pre(body.trim() !== '' && lines[0].trim() !== '');
      assert.equal(extractProgram(`prose\n${fence('python', body)}\nmore prose`), `${body.trimEnd()}\n`);
    })
  );
});

test('rejects a non-string with a clear message', () => {
  assert.throws(() => extractProgram(42 as unknown as string), /must be a string/);
});
