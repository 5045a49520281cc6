/**
 * The run plan carries what the stages train with: each stage's own learning rate (schedule.stages[].learningRate
 * was validated and then ignored: every stage trained at grpo.learningRate) and optimiser steps × epochs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPlan } from '../../../workflows/run-plan.ts';
import { fourTasks, issuesOf, valid } from '../schemas/minimal.ts';

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

test('dynamic sampling is refused with what to do instead, not accepted and ignored', () => {
  const issues = issuesOf({ ...fourTasks(), grpo: { dynamicSampling: { enabled: true } } });
  assert.equal(issues.length, 1);
  assert.equal(issues[0].path, 'grpo.dynamicSampling.enabled');
  assert.match(issues[0].message, /not implemented yet.*advantage 0.*set enabled: false/);
});
