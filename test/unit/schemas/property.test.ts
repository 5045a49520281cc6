/** Open-ended input: parseExperimentConfig never throws, and what it accepts it accepts again unchanged. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson, configHash } from '../../../schemas/config-hash.ts';
import { parseExperimentConfig } from '../../../schemas/parse.ts';
import { fourTasks, minimal } from './minimal.ts';

test('arbitrary JSON never throws: it returns issues with string paths and messages', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const result = parseExperimentConfig(value);
      if (result.ok) return true;
      return result.issues.length > 0 && result.issues.every((i) => typeof i.path === 'string' && i.message.length > 0);
    }),
    { numRuns: 500 }
  );
});

/** A valid config with random values poked into real fields: the shape of input users actually write. */
const pokes = fc.dictionary(
  fc.constantFrom(
    'rollout.groupSize',
    'rollout.temperature',
    'grpo.clip.high',
    'grpo.miniBatchSize',
    'rewards.lengthPenalty.lCache',
    'rewards.aggregation',
    'schedule.kind',
    'schedule.stepsPerStage',
    'window.type',
    'tasks.math.kind',
    'tasks.math.source',
    'model',
    'name',
    'evaluation.perTask',
    'grpo.kl.perTask'
  ),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 4 }
);

function poke(base: Record<string, any>, changes: Record<string, unknown>): Record<string, any> {
  const out = structuredClone(base);
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    let at: any = out;
    for (const key of keys.slice(0, -1)) {
      if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
      at = at[key];
    }
    at[keys.at(-1)!] = value;
  }
  return out;
}

test('near-valid configs never throw, and every accepted one re-parses to itself with the same hash', () => {
  fc.assert(
    fc.property(fc.constantFrom(minimal(), fourTasks()), pokes, (base, changes) => {
      const result = parseExperimentConfig(poke(base, changes));
      if (!result.ok) return result.issues.length > 0;
      const again = parseExperimentConfig(JSON.parse(JSON.stringify(result.config)));
      assert.ok(again.ok, 'a resolved config must be valid input');
      assert.equal(canonicalJson(again.config), canonicalJson(result.config));
      assert.equal(configHash(again.config), configHash(result.config));
      return true;
    }),
    { numRuns: 300 }
  );
});

test('configHash ignores key order and the editor-only $schema key, and changes with any value', () => {
  const hinted = parseExperimentConfig({ $schema: '../schemas/experiment.schema.json', ...minimal() });
  assert.ok(hinted.ok && !('$schema' in hinted.config));
  const a = parseExperimentConfig(minimal());
  const reordered = Object.fromEntries(Object.entries(minimal()).reverse());
  const b = parseExperimentConfig(reordered);
  const c = parseExperimentConfig({ ...minimal(), seed: 1 });
  assert.ok(a.ok && b.ok && c.ok);
  assert.equal(configHash(a.config), configHash(b.config));
  assert.equal(configHash(hinted.config), configHash(a.config));
  assert.notEqual(configHash(a.config), configHash(c.config));
});
