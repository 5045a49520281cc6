/** docs/config.md documents every field the schema has: a new knob without documentation fails here. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { experimentJsonSchema } from '../../../schemas/json-schema.ts';
import { parseExperimentConfig } from '../../../schemas/parse.ts';
import { minimal } from './minimal.ts';

function fieldNames(schema: any, out = new Set<string>()): Set<string> {
  if (schema === null || typeof schema !== 'object') return out;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    out.add(key);
    fieldNames(sub, out);
  }
  for (const key of ['oneOf', 'anyOf', 'allOf']) for (const sub of schema[key] ?? []) fieldNames(sub, out);
  if (schema.items) fieldNames(schema.items, out);
  if (typeof schema.additionalProperties === 'object') fieldNames(schema.additionalProperties, out);
  return out;
}

test('every config field name appears in docs/config.md', () => {
  const docs = readFileSync(path.join(import.meta.dirname, '../../../docs/config.md'), 'utf8');
  const names = fieldNames(experimentJsonSchema());
  assert.ok(names.size > 100, `expected the whole schema, found ${names.size} names`);
  const missing = [...names].filter(
    (name) => !new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(docs)
  );
  assert.deepEqual(missing, []);
});

test('docs/config.md describes dynamic sampling as the schema has it: on request, bounded, needing groups of two', () => {
  const docs = readFileSync(path.join(import.meta.dirname, '../../../docs/config.md'), 'utf8');
  const row = docs.split('\n').find((line) => line.startsWith('| `dynamicSampling.enabled`'));
  assert.ok(row, 'docs/config.md has a dynamicSampling row');
  assert.match(row, /`false` \/ `3`/);
  assert.match(row, /`maxBatches` \(≥ 1/);
  assert.match(row, /`rollout.groupSize` ≥ 2/);
  const on = parseExperimentConfig({ ...minimal(), grpo: { dynamicSampling: { enabled: true } } });
  assert.ok(on.ok && on.config.grpo.dynamicSampling.maxBatches === 3, 'the schema accepts enabled: true, bound 3');
  const unbounded = parseExperimentConfig({
    ...minimal(),
    grpo: { dynamicSampling: { enabled: true, maxBatches: 0 } },
  });
  assert.equal(unbounded.ok, false, 'the schema refuses maxBatches: 0');
});
