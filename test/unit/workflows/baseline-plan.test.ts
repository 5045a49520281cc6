/** The plans the RFT and continued-pretraining runs record: one stage, and their budget with its inputs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pretrainPlan } from '../../../workflows/pretrain-run.ts';
import { rftPlan } from '../../../workflows/rft-run.ts';
import { runPlan } from '../../../workflows/run-plan.ts';
import { fourTasks, valid } from '../schemas/minimal.ts';

const config = valid({
  ...fourTasks(),
  grpo: { learningRate: 1e-4, epochs: 2, miniBatchSize: 4 },
  rollout: { promptsPerStep: 8, groupSize: 2 },
  window: {
    type: 'steps',
    steps: [
      { fromStep: 0, maxTokens: 16 },
      { fromStep: 2, maxTokens: 32 },
    ],
  },
  schedule: { kind: 'curriculum', stepsPerStage: 1 },
});

test('RFT: a round per RL step at its window, and GRPO’s optimiser steps × mini-batch as the budget', () => {
  const rl = runPlan(config);
  assert.equal(rl.totalSteps, 4);
  const plan = rftPlan(config, { k: 16, judgedThreshold: 1, stepsPerChunk: 10 });
  // 4 RL steps × (8 / 4 mini-batches × 2 epochs) = 16 steps of 4 prompts × G 2 = 8 sequences.
  assert.deepEqual(plan.rft.budget, { steps: 16, batchSize: 8, sequences: 128 });
  assert.equal(plan.rft.rounds, 4);
  assert.equal(plan.rft.promptsPerRound, 8);
  assert.deepEqual(plan.rft.windows, [16, 16, 32, 32]);
  assert.equal(plan.rft.learningRate, 1e-4);
  assert.equal(plan.totalSteps, 16);
  assert.deepEqual(
    plan.stages.map((s) => [s.index, s.name, s.startStep, s.endStep, s.tasks.map((t) => `${t.task}:${t.weight}`)]),
    [[0, 'rft', 0, 16, ['code:1', 'math:1', 'qa:1', 'writing:1']]]
  );
  assert.equal(
    rftPlan(config, { k: 16, judgedThreshold: 1, stepsPerChunk: 10, learningRate: 3e-5 }).rft.learningRate,
    3e-5
  );
});

test('continued pretraining: one stage, the compared variant and its wall time recorded', () => {
  const plan = pretrainPlan(config, { sameWallTimeAs: 'grpo', wallMs: 61_400, stepsPerChunk: 10, batchSize: 32 });
  assert.deepEqual(
    plan.stages.map((s) => [s.name, s.startStep, s.endStep]),
    [['pretrain', 0, 1]]
  );
  assert.deepEqual(plan.pretrain, {
    sameWallTimeAs: 'grpo',
    wallMs: 61_400,
    stepsPerChunk: 10,
    batchSize: 32,
    learningRate: 1e-4,
    corpus: 'the base corpus of the config’s synthetic worlds',
  });
  assert.match(plan.summary, /continued pretraining for the wall time of grpo \(61 s\)/);
});
