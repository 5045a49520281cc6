/**
 * Junk in every real field of every example config (the shape of mistakes people make when editing one): validation
 * never throws — it returns issues — and a config it accepts can be planned. Fixed seed; counts as a diagnostic.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { parseExperimentConfig } from '../../../schemas/parse.ts';
import { planSummary, stagePlan } from '../../../schemas/plan.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../examples');
const RUNS_PER_EXAMPLE = 1000;

/** Every path into a document (objects and lists), the root excluded. */
function paths(value: unknown, at: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [];
  const keys = Array.isArray(value) ? value.map((_, i) => String(i)) : Object.keys(value);
  return keys.flatMap((k) => [[...at, k], ...paths((value as Record<string, unknown>)[k], [...at, k])]);
}

function poked(doc: unknown, pokes: readonly (readonly [string[], unknown])[]): unknown {
  const out = structuredClone(doc);
  for (const [at, v] of pokes) {
    let o = out as Record<string, unknown> | null;
    for (const k of at.slice(0, -1)) o = o !== null && typeof o === 'object' ? (o[k] as Record<string, unknown>) : null;
    if (o !== null && typeof o === 'object') o[at.at(-1) as string] = v;
  }
  return out;
}

const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom([], {}, null, '', 0, -1, 0.5, 1e9, 'reverse', 'joint', 'steps', 'linear', 'math', 'code')
);

test('junk in any field of the example configs: issues, never a throw; what is accepted plans', async (t) => {
  const counts = { tried: 0, accepted: 0 };
  for (const name of readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'))) {
    const base = parse(readFileSync(path.join(EXAMPLES, name), 'utf8'));
    const all = paths(base);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...all), junk), { minLength: 1, maxLength: 3 }), (pokes) => {
        counts.tried++;
        const r = parseExperimentConfig(poked(base, pokes));
        if (!r.ok) return r.issues.length > 0 && r.issues.every((i) => typeof i.path === 'string' && i.message !== '');
        counts.accepted++;
        assert.ok(stagePlan(r.config).stages.length > 0);
        assert.ok(planSummary(r.config).length > 0);
        return true;
      }),
      { seed: 0x16_5c, numRuns: RUNS_PER_EXAMPLE }
    );
  }
  t.diagnostic(JSON.stringify(counts));
});

test('an empty window.steps list is an issue, not a TypeError from the refinement', () => {
  const demo = parse(readFileSync(path.join(EXAMPLES, 'demo.yaml'), 'utf8'));
  const r = parseExperimentConfig({ ...demo, window: { type: 'steps', steps: [] } });
  assert.ok(!r.ok);
  assert.ok(
    r.issues.some((i) => i.path === 'window.steps'),
    JSON.stringify(r.issues)
  );
});
