import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCodeTests } from '../../../rewards/sandbox/run-tests.ts';

test('accepts both code-r1-12k shapes, as objects or as JSON text', () => {
  assert.deepEqual(parseCodeTests({ inputs: ['1\n'], outputs: ['2\n'] }), { inputs: ['1\n'], outputs: ['2\n'] });
  assert.deepEqual(parseCodeTests('{"functional": "assert f() == 1"}'), { functional: 'assert f() == 1' });
});

test('extra fields are dropped', () => {
  assert.deepEqual(parseCodeTests({ inputs: ['a'], outputs: ['b'], fn_name: 'x' }), { inputs: ['a'], outputs: ['b'] });
});

test('says what is wrong with malformed tests', () => {
  assert.throws(() => parseCodeTests('{nope'), /tests: is not valid JSON/);
  assert.throws(() => parseCodeTests([]), /must be an object/);
  assert.throws(() => parseCodeTests({ inputs: ['1'] }), /"inputs" and "outputs" arrays/);
  assert.throws(() => parseCodeTests({ inputs: ['1', '2'], outputs: ['1'] }), /got 2 and 1/);
  assert.throws(() => parseCodeTests({ inputs: [], outputs: [] }), /at least one/);
  assert.throws(
    () => parseCodeTests({ inputs: [1], outputs: ['1'] }),
    /tests.inputs\[0\]: must be a string, got number/
  );
  assert.throws(() => parseCodeTests({ functional: '  ' }), /tests.functional: must be a non-empty string/);
});
