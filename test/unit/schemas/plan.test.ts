import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationToMs } from '../../../schemas/experiment/primitives.ts';
import { planSummary, stagePlan } from '../../../schemas/plan.ts';
import { fourTasks, valid } from './minimal.ts';

test('stage plan: cumulative global step ranges in run order', () => {
  const input = fourTasks();
  input.schedule = {
    kind: 'curriculum',
    stepsPerStage: 10,
    stages: [
      { name: 'c', tasks: [{ task: 'code' }], steps: 5 },
      { name: 'm', tasks: [{ task: 'math' }] },
    ],
  };
  const plan = stagePlan(valid(input));
  // c: [0, 5), m: [5, 15) with the default 10 steps.
  assert.deepEqual(
    plan.stages.map((s) => [s.name, s.index, s.startStep, s.endStep]),
    [
      ['c', 0, 0, 5],
      ['m', 1, 5, 15],
    ]
  );
  assert.equal(plan.totalSteps, 15);
});

test('reverse order runs the listed stages backwards and says so in the summary', () => {
  const input = fourTasks();
  input.schedule = { kind: 'curriculum', stepsPerStage: 2, order: 'reverse' };
  const config = valid(input);
  assert.deepEqual(
    stagePlan(config).stages.map((s) => [s.name, s.startStep]),
    [
      ['writing', 0],
      ['qa', 2],
      ['math', 4],
      ['code', 6],
    ]
  );
  assert.equal(
    planSummary(config),
    'min: curriculum (reverse order), 4 stages (writing 2 → qa 2 → math 2 → code 2), 8 steps'
  );
});

test('durations convert to milliseconds', () => {
  assert.equal(durationToMs('500ms'), 500);
  assert.equal(durationToMs('10s'), 10_000);
  assert.equal(durationToMs('1.5h'), 5_400_000);
  assert.throws(() => durationToMs('soon'), /not a duration/);
});
