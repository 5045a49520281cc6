/**
 * The run plan carries what the stages train with: each stage's own learning rate (schedule.stages[].learningRate
 * was validated and then ignored: every stage trained at grpo.learningRate) and optimiser steps × epochs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPlan } from '../../../workflows/run-plan.ts';
import { assertIssue, fourTasks, issuesOf, valid } from '../schemas/minimal.ts';

test("a stage's own learningRate is planned for it; the others take grpo.learningRate", () => {
  const config = valid({
    ...fourTasks(),
    grpo: { learningRate: 1e-4, epochs: 2, miniBatchSize: 4 },
    rollout: { promptsPerStep: 8, groupSize: 2 },
    schedule: {
      kind: 'curriculum',
      stepsPerStage: 3,
      stages: [
        { name: 'code', tasks: [{ task: 'code' }], learningRate: 3e-5 },
        { name: 'math', tasks: [{ task: 'math' }] },
      ],
    },
  });
  const plan = runPlan(config);
  assert.deepEqual(
    plan.stages.map((s) => [s.name, s.learningRate]),
    [
      ['code', 3e-5],
      ['math', 1e-4],
    ]
  );
  // 8 prompts in mini-batches of 4 → 2 optimiser steps per pass, 2 passes.
  assert.equal(plan.batch.optimizerStepsPerStep, 4);
});

test('dynamic sampling is accepted with groups of two or more; a bound of 0 or groups of one are refused', () => {
  const on = valid({ ...fourTasks(), grpo: { dynamicSampling: { enabled: true, maxBatches: 4 } } });
  assert.deepEqual(on.grpo.dynamicSampling, { enabled: true, maxBatches: 4 });
  const unbounded = issuesOf({ ...fourTasks(), grpo: { dynamicSampling: { enabled: true, maxBatches: 0 } } });
  assert.deepEqual(
    unbounded.map((i) => i.path),
    ['grpo.dynamicSampling.maxBatches']
  );
  assertIssue(
    { ...fourTasks(), rollout: { groupSize: 1 }, grpo: { dynamicSampling: { enabled: true } } },
    'grpo.dynamicSampling.enabled',
    /groupSize of at least 2/
  );
});
