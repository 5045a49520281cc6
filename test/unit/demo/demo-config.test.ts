import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { applySet, demoConfig, progressLine, renderTable } from '../../../cli/commands/demo.ts';
import { readExperimentFile } from '../../../cli/experiment-file.ts';
import { ROOT } from '../../../infra/paths.mjs';

const demoFile = path.join(ROOT, 'examples', 'demo.yaml');

async function readDemo() {
  const read = await readExperimentFile(demoFile);
  if (!read.ok) throw new Error(read.problems.join('; '));
  return read;
}

test('the demo config validates and starts from the shipped base', async () => {
  const read = await readDemo();
  assert.equal(read.config.model.checkpoint, 'file://models/demo-base');
  assert.equal(read.config.schedule.kind, 'curriculum');
});

test('--steps-per-stage scales the window schedule with it', async () => {
  const read = await readDemo();
  // demo.yaml: 24 steps a stage, window 64 from 0 and 128 from 72 → at 2 a stage: 128 from round(72·2/24) = 6.
  const short = demoConfig(read, { stepsPerStage: 2, set: [] });
  assert.equal(short.config.schedule.stepsPerStage, 2);
  const w = short.config.window as { type: string; steps: { fromStep: number; maxTokens: number }[] };
  assert.deepEqual(
    w.steps.map((s) => [s.fromStep, s.maxTokens]),
    [
      [0, 64],
      [6, 128],
    ]
  );
  assert.notEqual(short.hash, read.hash);
  // The file's own document is untouched.
  assert.equal((read.raw as { schedule: { stepsPerStage: number } }).schedule.stepsPerStage, 24);
});

test('--steps-per-stage scales the budget a stage gives itself, in proportion', async () => {
  const read = await readDemo();
  const raw = structuredClone(read.raw) as { schedule: Record<string, unknown> };
  // 24 a stage with qa at 48 → at 2 a stage: qa 4; a 5-step stage would round to 0 and keeps 1.
  raw.schedule = {
    kind: 'curriculum',
    stepsPerStage: 24,
    stages: [
      { name: 'code', tasks: [{ task: 'code' }], steps: 5 },
      { name: 'math', tasks: [{ task: 'math' }] },
      { name: 'qa', tasks: [{ task: 'qa' }], steps: 48 },
      { name: 'writing', tasks: [{ task: 'writing' }] },
    ],
  };
  const long = { ...read, raw };
  const short = demoConfig(long, { stepsPerStage: 2, set: [] });
  assert.deepEqual(
    short.config.schedule.stages.map((s) => [s.name, s.steps]),
    [
      ['code', 1],
      ['math', 2],
      ['qa', 4],
      ['writing', 2],
    ]
  );
  // The document handed in is untouched.
  assert.equal((raw.schedule.stages as { steps?: number }[])[2].steps, 48);
});

test('--set overrides parse JSON values, create objects and are validated again', async () => {
  const read = await readDemo();
  const rev = demoConfig(read, { set: ['schedule.order=reverse', 'rewards.lengthPenalty.enabled=false'] });
  assert.equal((rev.config.schedule as { order: string }).order, 'reverse');
  assert.equal(rev.config.rewards.lengthPenalty.enabled, false);
  assert.throws(() => demoConfig(read, { set: ['schedule.order=sideways'] }), /does not validate.*order/s);
  assert.throws(() => applySet({}, 'novalue'), /path\.to\.field=value/);
  assert.throws(() => applySet({ a: 1 }, 'a.b=2'), /'a' is not an object/);
  const raw: Record<string, unknown> = {};
  applySet(raw, 'x.y.z=[1,"a"]');
  assert.deepEqual(raw, { x: { y: { z: [1, 'a'] } } });
});

test('a progress line names stage, step/total, reward per domain, window and ETA', () => {
  const line = progressLine({
    runId: 'r',
    experiment: 'demo',
    status: 'training',
    stage: { index: 1, name: 'math', count: 4 },
    step: 30,
    totalSteps: 96,
    window: 64,
    summary: null,
    lastMetrics: { reward: 0.25, loss: 0.1, 'reward/math': 0.25 },
    etaMs: 125_000,
  });
  assert.equal(line, 'stage 2/4 math     step 30/96  reward math 0.25  window 64  ETA 2m05s');
});

test('the final table shows scores in percent and BWT in points', () => {
  const text = renderTable({
    tasks: ['code', 'math'],
    rows: [
      { label: 'base', step: 0, scores: { code: 0.5, math: 0.25 } },
      { label: 'after code', step: 24, scores: { code: 0.75, math: null } },
    ],
    passAtK: [{ label: 'pass@4 base', scores: { code: 0.875, math: 0.5 } }],
    bwt: { code: -0.25, math: null },
    averageRelative: 1.5,
    phaseMs: { setup: 1500, total: 60_000 },
  });
  const lines = text.split('\n');
  assert.match(lines[1], /^base +50% +25%$/);
  assert.match(lines[2], /^after code +75% +–$/);
  assert.match(lines[3], /^pass@4 base +88% +50%$/);
  // BWT = base − after = 0.5 − 0.75 = −0.25 → −25 points.
  assert.match(lines[4], /^BWT \(pts\) +-25 +–$/);
  assert.match(text, /average relative score \(final \/ base\): 1\.50/);
  assert.match(text, /setup 1\.5 s, total 60\.0 s/);
});
