/** Merge variants of a sweep (issue 17's model-merging baseline): their references, seeds, base models and order. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { readSweepFile } from '../../../cli/sweep-file.ts';
import { ROOT } from '../../../infra/paths.mjs';
import { parseSweep } from '../../../schemas/sweep.ts';
import { fourTasks } from './minimal.ts';

const single = (task: string) => ({
  name: `${task}-only`,
  overrides: { schedule: { kind: 'curriculum', stepsPerStage: 10, stages: [{ name: task, tasks: [{ task }] }] } },
});

function sweep(variants: unknown[], extra: Record<string, unknown> = {}) {
  return parseSweep({ name: 'm', experiment: fourTasks(), seeds: [1, 2], variants, ...extra });
}

function issues(parsed: ReturnType<typeof parseSweep>) {
  assert.ok(!parsed.ok, 'expected the sweep to be refused');
  return parsed.issues.map((i) => `${i.path}: ${i.message}`);
}

test('a merge variant links each seed to the runs of that seed and starts after them', () => {
  const parsed = sweep([
    { name: 'merged', merge: { of: ['code-only', 'math-only'], density: 0.3 } },
    single('code'),
    single('math'),
  ]);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const names = parsed.runs.map((r) => `${r.variant}/${r.seed}`);
  assert.deepEqual(names, ['merged/1', 'merged/2', 'code-only/1', 'code-only/2', 'math-only/1', 'math-only/2']);
  assert.deepEqual(
    parsed.runs[1].merge?.sources.map((j) => names[j]),
    ['code-only/2', 'math-only/2']
  );
  assert.equal(parsed.runs[1].merge?.density, 0.3);
  assert.equal(parsed.runs[1].merge?.lambda, undefined);
  assert.deepEqual(
    parsed.startOrder.map((i) => names[i]),
    ['code-only/1', 'code-only/2', 'math-only/1', 'math-only/2', 'merged/1', 'merged/2']
  );
  assert.equal(parsed.runs[2].merge, undefined);
});

test('merge.of must name variants of the sweep', () => {
  assert.deepEqual(issues(sweep([single('code'), { name: 'merged', merge: { of: ['code-only', 'qa-onyl'] } }])), [
    "variants[1] (merged) merge.of: no variant 'qa-onyl' in this sweep (variants: code-only, merged)",
  ]);
});

test('merges that come back to themselves are refused with the cycle', () => {
  const cyclic = issues(
    sweep([
      single('code'),
      { name: 'a', merge: { of: ['code-only', 'b'] } },
      { name: 'b', merge: { of: ['a', 'code-only'] } },
    ])
  );
  assert.equal(cyclic.length, 1);
  assert.match(cyclic[0], /variants\[1\] \(a\) merge\.of: merges form a cycle: a → b → a/);
  assert.match(
    issues(sweep([single('code'), { name: 'self', merge: { of: ['self', 'code-only'] } }]))[0],
    /self → self/
  );
});

test('a merge of merges is allowed and starts after every merge it takes', () => {
  const parsed = sweep([
    { name: 'top', merge: { of: ['cm', 'qa-only'] } },
    { name: 'cm', merge: { of: ['code-only', 'math-only'] } },
    single('code'),
    single('math'),
    single('qa'),
  ]);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const order = parsed.startOrder.map((i) => parsed.runs[i].variant);
  assert.ok(order.lastIndexOf('cm') < order.indexOf('top'), order.join(' '));
});

test('merge options are checked: two or more distinct variants, density in (0, 1]', () => {
  const msgs = issues(
    sweep([
      single('code'),
      single('math'),
      { name: 'one', merge: { of: ['code-only'] } },
      { name: 'twice', merge: { of: ['code-only', 'code-only'] } },
      { name: 'dense', merge: { of: ['code-only', 'math-only'], density: 1.5 } },
    ])
  ).join('\n');
  assert.match(msgs, /merge\.of.*at least two variants/);
  assert.match(msgs, /merge\.of.*names a variant twice/);
  assert.match(msgs, /merge\.density/);
});

test('sources must have a run of the merge seed and start from the same base model', () => {
  const noSeeds = parseSweep({
    name: 'm',
    experiment: fourTasks(),
    variants: [
      { ...single('code'), overrides: { ...single('code').overrides, seed: 7 } },
      single('math'),
      { name: 'merged', merge: { of: ['code-only', 'math-only'] } },
    ],
  });
  assert.match(issues(noSeeds).join('\n'), /merged, seed 0\) merge\.of: 'code-only' has no run with seed 0/);
  const otherModel = sweep([
    { ...single('code'), overrides: { ...single('code').overrides, model: { preset: 'micro' } } },
    single('math'),
    { name: 'merged', merge: { of: ['code-only', 'math-only'] } },
  ]);
  assert.match(issues(otherModel).join('\n'), /'code-only' starts from another model than this merge/);
});

test('the shipped merge-vs-curriculum sweep merges the four single-task arms of each seed', async () => {
  const file = await readSweepFile(path.join(ROOT, 'examples/sweeps/merge-vs-curriculum.yaml'));
  assert.ok(file.ok, file.ok ? '' : file.problems.join('\n'));
  const parsed = file.parsed;
  const merged = parsed.runs.filter((r) => r.variant === 'merged');
  assert.deepEqual(
    merged.map((r) => [r.seed, r.merge?.sources.map((j) => `${parsed.runs[j].variant}/${parsed.runs[j].seed}`)]),
    [7, 11].map((s) => [s, ['code-only', 'math-only', 'qa-only', 'writing-only'].map((v) => `${v}/${s}`)])
  );
  // Same compute: each single-task arm trains as long, at the same rate, as its stage of the curriculum.
  const stagesOf = (variant: string) => {
    const run = parsed.runs.find((r) => r.variant === variant && r.seed === 7)!;
    const { stages, stepsPerStage } = run.config.schedule;
    return stages.map((s) => [s.name, s.steps ?? stepsPerStage, s.learningRate]);
  };
  const curriculum = stagesOf('curriculum');
  assert.deepEqual(
    ['code', 'math', 'qa', 'writing'].map((t) => stagesOf(`${t}-only`)[0]),
    curriculum
  );
  assert.deepEqual(
    curriculum.map(([, steps]) => steps),
    [48, 24, 48, 24]
  );
  assert.deepEqual(
    stagesOf('joint').map(([name, steps]) => [name, steps]),
    [['joint', 144]]
  );
});
