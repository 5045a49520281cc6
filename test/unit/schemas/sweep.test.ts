import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { readExperimentFile } from '../../../cli/experiment-file.ts';
import { readSweepFile } from '../../../cli/sweep-file.ts';
import { ROOT } from '../../../infra/paths.mjs';
import { configHash } from '../../../schemas/config-hash.ts';
import { applyOverrides, parseSweep, sweepRunId } from '../../../schemas/sweep.ts';
import { minimal as minimalConfig } from './minimal.ts';

test('applyOverrides merges objects key by key and replaces lists, values and null', () => {
  const base = { a: 1, b: { c: 2, d: { e: 3, f: [1, 2] } }, g: [1, 2, 3], h: { i: 1 } };
  const merged = applyOverrides(base, { b: { d: { e: 30, f: [9] } }, g: [4], h: null, j: 'new' });
  assert.deepEqual(merged, { a: 1, b: { c: 2, d: { e: 30, f: [9] } }, g: [4], h: null, j: 'new' });
  // The base is not mutated.
  assert.deepEqual(base, { a: 1, b: { c: 2, d: { e: 3, f: [1, 2] } }, g: [1, 2, 3], h: { i: 1 } });
});

test('property: overrides win at every leaf they name and leave every other leaf alone', () => {
  const tree = fc.letrec((tie) => ({
    node: fc.dictionary(
      fc.constantFrom('a', 'b', 'c', 'd'),
      fc.oneof({ depthSize: 'small' }, fc.integer(), tie('node'))
    ),
  })).node as fc.Arbitrary<Record<string, unknown>>;
  fc.assert(
    fc.property(tree, tree, (base, overrides) => {
      const merged = applyOverrides(base, overrides);
      const check = (b: unknown, o: unknown, m: unknown): void => {
        const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
        if (obj(b) && obj(o)) {
          for (const k of new Set([...Object.keys(b), ...Object.keys(o)]))
            check(b[k], k in o ? o[k] : b[k], (m as Record<string, unknown>)[k]);
        } else assert.deepEqual(m, o);
      };
      check(base, overrides, merged);
    })
  );
});

test('parseSweep expands variants × seeds into validated configs with their own seed', () => {
  const parsed = parseSweep({
    name: 'lr',
    experiment: minimalConfig(),
    seeds: [1, 2],
    variants: [
      { name: 'low', overrides: { grpo: { learningRate: 1e-6 } } },
      { name: 'high', overrides: { grpo: { learningRate: 1e-5 } } },
    ],
  });
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.deepEqual(
    parsed.runs.map((r) => [r.variant, r.seed, r.config.seed, r.config.grpo.learningRate]),
    [
      ['low', 1, 1, 1e-6],
      ['low', 2, 2, 1e-6],
      ['high', 1, 1, 1e-5],
      ['high', 2, 2, 1e-5],
    ]
  );
  assert.equal(parsed.sweep.concurrency, 2);
  // Four distinct configs: the overrides and the seeds reach them.
  assert.equal(new Set(parsed.runs.map((r) => configHash(r.config))).size, 4);
});

test('without seeds every variant runs once on the base config seed', () => {
  const parsed = parseSweep({ name: 's', experiment: { ...minimalConfig(), seed: 5 }, variants: [{ name: 'only' }] });
  assert.ok(parsed.ok);
  assert.deepEqual(
    parsed.runs.map((r) => [r.variant, r.seed]),
    [['only', 5]]
  );
});

test('a bad override is reported with its variant and seed, every problem at once', () => {
  const parsed = parseSweep({
    name: 's',
    experiment: minimalConfig(),
    seeds: [3],
    variants: [
      { name: 'ok' },
      { name: 'typo', overrides: { grpo: { learningRat: 1 } } },
      { name: 'range', overrides: { rollout: { groupSize: -1 } } },
    ],
  });
  assert.ok(!parsed.ok);
  const text = parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n');
  assert.match(text, /variants\[1\] \(typo, seed 3\) grpo\.learningRat/);
  assert.match(text, /variants\[2\] \(range, seed 3\) rollout\.groupSize/);
  assert.doesNotMatch(text, /variants\[0\]/);
});

test('the sweep itself is checked: duplicate variant names, no variants, unknown keys', () => {
  const dup = parseSweep({ name: 's', experiment: minimalConfig(), variants: [{ name: 'a' }, { name: 'a' }] });
  assert.ok(!dup.ok);
  assert.match(dup.issues.map((i) => i.message).join(), /unique/);
  const none = parseSweep({ name: 's', experiment: minimalConfig(), variants: [] });
  assert.ok(!none.ok);
  const extra = parseSweep({ name: 's', experiment: minimalConfig(), variants: [{ name: 'a' }], concurency: 3 });
  assert.ok(!extra.ok);
  assert.match(extra.issues.map((i) => `${i.path} ${i.message}`).join(), /concurency/);
});

test('sweepRunId is deterministic per variant and seed', () => {
  assert.equal(sweepRunId('sw-1', 'joint', 11), 'sw-1-joint-s11');
  assert.notEqual(sweepRunId('sw-1', 'joint', 11), sweepRunId('sw-1', 'joint', 7));
});

test('the shipped demo-order sweep reads its experiment relative to itself and differs only where it says', async () => {
  const file = await readSweepFile(path.join(ROOT, 'examples/sweeps/demo-order.yaml'));
  assert.ok(file.ok, file.ok ? '' : file.problems.join('\n'));
  const runs = file.parsed.runs;
  assert.deepEqual(
    runs.map((r) => `${r.variant}/${r.seed}`),
    ['curriculum/7', 'curriculum/11', 'reverse/7', 'reverse/11', 'joint/7', 'joint/11']
  );
  const at = (v: string) => runs.find((r) => r.variant === v && r.seed === 7)!;
  const demo = await readExperimentFile(path.join(ROOT, 'examples/demo.yaml'));
  assert.ok(demo.ok);
  assert.deepEqual(at('curriculum').raw.schedule, (demo.raw as { schedule: unknown }).schedule);
  assert.deepEqual(at('reverse').raw.schedule, { ...(at('curriculum').raw.schedule as object), order: 'reverse' });
  const { schedule: _c, name: _n1, ...curriculum } = at('curriculum').raw;
  const { schedule: _r, name: _n2, ...reverse } = at('reverse').raw;
  assert.deepEqual(reverse, curriculum);
  // Joint: one stage of all four tasks with the curriculum's steps in all.
  const { stages, stepsPerStage } = at('curriculum').config.schedule;
  const total = stages.reduce((n, s) => n + (s.steps ?? stepsPerStage ?? 0), 0);
  assert.equal(total, 144);
  const joint = at('joint').config.schedule;
  assert.equal(joint.kind, 'joint');
  assert.deepEqual(
    joint.stages.map((s) => [s.steps, s.tasks.map((t) => t.task)]),
    [[total, ['code', 'math', 'qa', 'writing']]]
  );
});

test('the shipped length-penalty sweep differs only in the penalty switch, on the hackable writing scorer', async () => {
  const file = await readSweepFile(path.join(ROOT, 'examples/sweeps/length-penalty.yaml'));
  assert.ok(file.ok, file.ok ? '' : file.problems.join('\n'));
  const runs = file.parsed.runs;
  assert.deepEqual(
    runs.map((r) => `${r.variant}/${r.seed}`),
    ['penalty-on/7', 'penalty-on/11', 'penalty-off/7', 'penalty-off/11']
  );
  const at = (v: string) => runs.find((r) => r.variant === v && r.seed === 7)!;
  assert.equal(at('penalty-on').config.rewards.lengthPenalty.enabled, true);
  assert.equal(at('penalty-off').config.rewards.lengthPenalty.enabled, false);
  assert.equal(at('penalty-on').config.tasks.writing.scorer, 'length-biased');
  const { rewards: on, ...restOn } = at('penalty-on').raw as Record<string, unknown> & { rewards: object };
  const { rewards: off, ...restOff } = at('penalty-off').raw as Record<string, unknown> & { rewards: object };
  assert.deepEqual(restOff, restOn);
  assert.deepEqual(off, {
    ...on,
    lengthPenalty: { ...(on as { lengthPenalty: object }).lengthPenalty, enabled: false },
  });
});

test('a sweep file whose experiment path is missing names the file it looked for', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-sweep-'));
  const sweep = path.join(dir, 'sweep.yaml');
  writeFileSync(sweep, 'name: s\nexperiment: ./nope/base.yaml\nvariants: [{ name: a }]\n');
  const file = await readSweepFile(sweep);
  assert.ok(!file.ok);
  assert.match(file.problems.join('\n'), /nope\/base\.yaml/);
});

test('a variant may set its own seed when the sweep gives no seeds; with seeds it is an error, not ignored', () => {
  const own = parseSweep({
    name: 's',
    experiment: { ...minimalConfig(), seed: 5 },
    variants: [{ name: 'a' }, { name: 'b', overrides: { seed: 9 } }],
  });
  assert.ok(own.ok);
  assert.deepEqual(
    own.runs.map((r) => [r.variant, r.seed, r.config.seed]),
    [
      ['a', 5, 5],
      ['b', 9, 9],
    ]
  );
  const clash = parseSweep({
    name: 's',
    experiment: minimalConfig(),
    seeds: [1],
    variants: [{ name: 'b', overrides: { seed: 9 } }],
  });
  assert.ok(!clash.ok);
  assert.match(
    clash.issues.map((i) => `${i.path}: ${i.message}`).join(),
    /variants\[0\] \(b\) overrides\.seed: .*remove seed/
  );
});
