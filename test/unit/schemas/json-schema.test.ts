/** The committed schemas/experiment.schema.json is what zod generates now, and carries help text for editors. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
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

/**
 * An independent validator (Python's jsonschema, Draft 2020-12) must agree with zod on the examples and on a bad
 * file, so editors never flag a valid config or miss the common mistakes. Skips when python3 lacks jsonschema.
 */
const CHECK = `
import json, sys, jsonschema
schema, docs = json.load(sys.stdin)
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
print(json.dumps({name: sorted('.'.join(map(str, e.path)) for e in v.iter_errors(doc)) for name, doc in docs.items()}))
`;
const hasJsonschema = spawnSync('python3', ['-c', 'import jsonschema'], { encoding: 'utf8' }).status === 0;

test('the JSON Schema accepts every example and flags the typo, the wrong type and the range error', {
  skip: hasJsonschema ? false : 'python3 has no jsonschema module',
}, () => {
  const examples = path.join(import.meta.dirname, '../../../examples');
  const docs: Record<string, unknown> = {};
  for (const f of readdirSync(examples).filter((x) => x.endsWith('.yaml')))
    docs[f] = parseYaml(readFileSync(path.join(examples, f), 'utf8'));
  docs.bad = {
    name: 'bad',
    model: { preset: 'tiny' },
    rollout: { groupSize: 'sixteen' },
    grpo: { lerning_rate: 1e-3, clip: { high: 1.5 } },
    tasks: { math: { kind: 'math', source: { type: 'synthetic' } } },
  };
  const r = spawnSync('python3', ['-c', CHECK], {
    input: JSON.stringify([experimentJsonSchema(), docs]),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const errors = JSON.parse(r.stdout) as Record<string, string[]>;
  for (const [name, paths] of Object.entries(errors)) if (name !== 'bad') assert.deepEqual(paths, [], name);
  // additionalProperties reports at the object holding the unknown key.
  assert.deepEqual(errors.bad, ['grpo', 'grpo.clip.high', 'rollout.groupSize']);
});

test('every field in the JSON Schema carries a description or title for editors', () => {
  const missing: string[] = [];
  const walk = (schema: any, at: string) => {
    if (schema === null || typeof schema !== 'object') return;
    for (const [key, sub] of Object.entries<any>(schema.properties ?? {})) {
      const p = at === '' ? key : `${at}.${key}`;
      if (!sub.description && !sub.title) missing.push(p);
      walk(sub, p);
    }
    for (const sub of [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) walk(sub, at);
    if (schema.items) walk(schema.items, `${at}[]`);
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${at}.<name>`);
  };
  walk(experimentJsonSchema(), '');
  assert.deepEqual(missing, []);
});
