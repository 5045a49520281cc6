import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SEARCH_ATTRIBUTES } from '../../../schemas/search-attributes.ts';
import { SA } from '../../../workflows/search-attributes.ts';

test('the typed keys are the registered attributes, each with its registered kind', () => {
  assert.deepEqual(
    Object.values(SA).map((k) => [k.name, k.type]),
    Object.entries(SEARCH_ATTRIBUTES).map(([name, kind]) => [name, kind.toUpperCase()])
  );
});
