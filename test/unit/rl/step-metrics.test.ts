import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evalScore, type StepSampleFacts, stepMetricsByTask } from '../../../rl/step-metrics.ts';

const sample = (over: Partial<StepSampleFacts>): StepSampleFacts => ({
  task: 'math',
  total: 1,
  components: { accuracy: 1, format: 1 },
  correct: true,
  thinkTokens: 4,
  answerTokens: 2,
  thinkChars: 8,
  answerChars: 3,
  responseTokens: 10,
  truncated: false,
  ...over,
});

test('per-task metrics average over the samples, leaving undefined components and totals out', () => {
  const samples = [
    sample({ total: 1.5, components: { accuracy: 1, format: 1 }, thinkTokens: 4 }),
    sample({ total: -0.5, components: { accuracy: -1, format: 1 }, correct: false, thinkTokens: 8, truncated: true }),
    sample({ total: null, components: { accuracy: null, format: 0 }, correct: null, thinkTokens: 0 }),
    sample({ task: 'qa', total: -1, components: { accuracy: -1, format: 0 }, correct: false }),
  ];
  const m = stepMetricsByTask(samples, { math: { groups: 1, zeroVarianceGroups: 0, zeroVarianceFraction: 0 } });
  // math: totals 1.5 and −0.5 defined → mean 0.5; accuracy component (1 + −1)/2 = 0; format (1+1+0)/3 = 2/3.
  assert.equal(m.perTask.math.rewardMean, 0.5);
  assert.equal(m.perTask.math.components.accuracy, 0);
  assert.ok(Math.abs((m.perTask.math.components.format ?? 0) - 2 / 3) < 1e-12);
  // correct over judged samples: 1 of 2 (the undefined one is not judged).
  assert.equal(m.perTask.math.accuracy, 0.5);
  // think tokens (4 + 8 + 0)/3 = 4; one of three truncated; one dropped as undefined.
  assert.equal(m.perTask.math.thinkTokensMean, 4);
  assert.ok(Math.abs(m.perTask.math.truncatedFraction - 1 / 3) < 1e-12);
  assert.equal(m.perTask.math.droppedUndefined, 1);
  assert.equal(m.perTask.qa.zeroVarianceGroupFraction, 0, 'a task without a count reports 0');
  // Batch: defined totals 1.5, −0.5, −1 → mean 0/3 = 0.
  assert.equal(m.rewardMean, 0);
  assert.equal(m.truncatedFraction, 0.25);
});

test('held-out scores map every accuracy scale onto [0, 1]', () => {
  assert.equal(evalScore(1, { kind: 'verifier', correct: 1, incorrect: -1 }), 1);
  assert.equal(evalScore(-1, { kind: 'verifier', correct: 1, incorrect: -1 }), 0);
  // constraint score 0.5 mapped onto ±1 is 0 → (0 − (−1)) / 2 = 0.5.
  assert.equal(evalScore(0, { kind: 'constraints', correct: 1, incorrect: -1 }), 0.5);
  assert.equal(evalScore(0, { kind: 'verifier', correct: 1, incorrect: 0 }), 0);
  // GZ judge: (3 + 5) / 10 = 0.8.
  assert.equal(evalScore(3, { kind: 'judge-scalar' }), 0.8);
  assert.equal(evalScore(0.5, { kind: 'judge-pairwise' }), 0.5);
  assert.equal(evalScore(null, { kind: 'judge-scalar' }), null);
});
