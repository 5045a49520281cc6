/** The committed schemas/experiment.schema.json is what zod generates now, and carries help text for editors. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { experimentJsonSchema, experimentJsonSchemaText } from '../../../schemas/json-schema.ts';

const FILE = path.join(import.meta.dirname, '../../../schemas/experiment.schema.json');

test('schemas/experiment.schema.json is up to date', () => {
  assert.equal(
    readFileSync(FILE, 'utf8'),
    experimentJsonSchemaText(),
    'stale: run `node bin/omni-zero.js schema --out schemas/experiment.schema.json` and commit it'
  );
});

test('the JSON Schema is strict, requires only what has no default, and describes the sections', () => {
  const schema = experimentJsonSchema() as any;
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual([...schema.required].sort(), ['model', 'name', 'tasks']);
  for (const section of [
    'template',
    'rollout',
    'rewards',
    'grpo',
    'window',
    'schedule',
    'evaluation',
    'checkpoint',
    'orchestration',
  ])
    assert.ok(
      schema.properties[section].title || schema.properties[section].description,
      `${section} has no title/description`
    );
  const lengthPenalty = schema.properties.rewards.properties.lengthPenalty;
  assert.equal(lengthPenalty.properties.lMax.default, 2048);
  assert.match(lengthPenalty.properties.lMax.description, /L_max/);
  assert.equal(schema.properties.rollout.properties.groupSize.minimum, 2);
});
