import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lengthEnds } from '../../../report/length-ends.ts';
import { step } from './length-fixture.ts';

test('lengthEnds: means over the first and last quarter of the steps that sampled the task', () => {
  // 8 steps of w → quarters of 2: first steps 0–1, last steps 6–7; a step of another task is skipped.
  const metrics = [
    step(0, 'w', 10, 14, 0.2),
    step(1, 'w', 12, 16, null),
    step(2, 'w', 11, 20, 0.5),
    step(3, 'x', 99, 99, 9),
    step(4, 'w', 11, 22, 0.5),
    step(5, 'w', 11, 24, 0.5),
    step(6, 'w', 11, 24, 0.5),
    step(7, 'w', 9, 30, 0.9),
    step(8, 'w', 13, 32, 1.1),
  ];
  assert.deepEqual(lengthEnds(metrics, 'w'), {
    steps: 8,
    first: { thinkTokens: 11, answerTokens: 15, reward: 0.2 }, // the null reward is left out of the mean
    last: { thinkTokens: 11, answerTokens: 31, reward: 1 },
  });
  // Fewer than four steps: one step each end.
  assert.deepEqual(lengthEnds([step(0, 'w', 4, 6, 1), step(1, 'w', 8, 2, 0)], 'w'), {
    steps: 2,
    first: { thinkTokens: 4, answerTokens: 6, reward: 1 },
    last: { thinkTokens: 8, answerTokens: 2, reward: 0 },
  });
  assert.equal(lengthEnds(metrics, 'none'), null);
});
