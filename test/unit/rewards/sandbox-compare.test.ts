import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { normaliseOutput, outputsMatch } from '../../../rewards/sandbox/compare.ts';

test('trailing spaces, tabs, CR and trailing newlines do not matter', () => {
  assert.ok(outputsMatch('1 2 \r\n3\t\n\n\n', '1 2\n3'));
  assert.equal(normaliseOutput('a  \nb\t\r\n\n'), 'a\nb');
});

test('leading whitespace, interior blank lines, case and content do', () => {
  assert.ok(!outputsMatch(' 1', '1'));
  assert.ok(!outputsMatch('1\n\n2', '1\n2'));
  assert.ok(!outputsMatch('YES', 'yes'));
  assert.ok(!outputsMatch('1 2', '1  2'));
  assert.ok(!outputsMatch('', '0'));
});

test('property: appending trailing whitespace to any line never changes the verdict', () => {
  const text = fc.string({ unit: fc.constantFrom('a', '1', ' ', '\n', 'x') });
  const pad = fc.string({ unit: fc.constantFrom(' ', '\t', '\r') });
  fc.assert(
    fc.property(text, pad, fc.nat(), (s, p, at) => {
      const lines = s.split('\n');
      const i = at % lines.length;
      lines[i] += p;
      assert.ok(outputsMatch(lines.join('\n'), s));
      assert.ok(outputsMatch(`${s}\n${p}\n`, s));
    })
  );
});

test('property: normalising is idempotent', () => {
  fc.assert(fc.property(fc.string(), (s) => assert.equal(normaliseOutput(normaliseOutput(s)), normaliseOutput(s))));
});
