import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccuracyScale } from '../../../rl/step-metrics.ts';
import { isCorrect, keepCorrect } from '../../../training/keep-correct.ts';

const verifier: AccuracyScale = { kind: 'verifier', correct: 1, incorrect: -1 };
const constraints: AccuracyScale = { kind: 'constraints', correct: 1, incorrect: -1 };
const scales: Record<string, AccuracyScale> = {
  math: verifier,
  writing: constraints,
  chat: { kind: 'judge-scalar' },
  duel: { kind: 'judge-pairwise' },
};

const rollouts = [
  { id: 'm0', task: 'math' },
  { id: 'm1', task: 'math' },
  { id: 'm2', task: 'math' },
  { id: 'w0', task: 'writing' },
  { id: 'w1', task: 'writing' },
  { id: 'c0', task: 'chat' },
  { id: 'c1', task: 'chat' },
  { id: 'd0', task: 'duel' },
  { id: 'd1', task: 'duel' },
  { id: 'lost', task: 'math' },
];
const reward = (id: string, accuracy: number | null) => ({ id, components: { accuracy } });
const rewards = [
  reward('m0', 1), // the verifier passed
  reward('m1', -1), // failed
  reward('m2', null), // undefined (timeout): never kept
  reward('w0', 0.6), // 80 % of the constraints met: (0.6 + 1) / 2
  reward('w1', 1), // all met
  reward('c0', 3), // judge grade 3 of [−5, 5] → 0.8
  reward('c1', 5), // top grade → 1
  reward('d0', 0.5), // a tie
  reward('d1', 1), // a win
];

test('hand-made records at the default threshold 1: verifier passes and full marks are kept', () => {
  const kept = keepCorrect(rollouts, rewards, (t) => scales[t], 1);
  assert.deepEqual(
    kept.map((r) => r.id),
    ['m0', 'w1', 'c1', 'd1']
  );
});

test('a lower judged threshold keeps partial marks; the verifier still needs a pass', () => {
  const kept = keepCorrect(rollouts, rewards, (t) => scales[t], 0.75);
  assert.deepEqual(
    kept.map((r) => r.id),
    ['m0', 'w0', 'w1', 'c0', 'c1', 'd1']
  );
  // A verifier at a 1/0 scale (OT) is correct at 1, not at 0.75 of the way there.
  assert.equal(isCorrect(0.75, { kind: 'verifier', correct: 1, incorrect: 0 }, 0.5), false);
  assert.equal(isCorrect(1, { kind: 'verifier', correct: 1, incorrect: 0 }, 0.5), true);
});

test('a rollout without a reward record, or with an undefined accuracy, is not kept', () => {
  assert.equal(isCorrect(null, verifier, 0), false);
  assert.deepEqual(
    keepCorrect([{ id: 'lost', task: 'math' }], rewards, (t) => scales[t], 0),
    []
  );
});
