import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Adjustment } from '../../../workflows/messages.ts';
import { Steering, validateAdjustment } from '../../../workflows/steering.ts';

const training = { status: 'training', stage: 'code', stepsDone: 3 } as const;
const rejects = (a: unknown, re: RegExp, at: Parameters<typeof validateAdjustment>[1] = training) =>
  assert.throws(() => validateAdjustment(a as Adjustment, at), re);

test('validateAdjustment accepts a rate in (0, 1) and a budget no shorter than the steps done', () => {
  validateAdjustment({ learningRate: 0.0001 }, training);
  validateAdjustment({ stageSteps: 3 }, training);
  validateAdjustment({ learningRate: 0.5, stageSteps: 10 }, training);
  validateAdjustment({ stageSteps: 1 }, { ...training, stepsDone: 0 });
});

test('validateAdjustment rejects malformed and impossible requests with a reason', () => {
  rejects(null, /adjust takes an object/);
  rejects({ lr: 0.1 }, /unknown field\(s\) lr: adjust takes learningRate, stageSteps/);
  rejects({}, /nothing to adjust/);
  rejects({ learningRate: 2 }, /learningRate must be a number in \(0, 1\), got 2/);
  rejects({ learningRate: '0.1' }, /learningRate must be a number/);
  rejects({ stageSteps: 2 }, /stageSteps must be a whole number ≥ 3 \(steps already done in 'code'\), got 2/);
  rejects({ stageSteps: 0 }, /≥ 1 .*got 0/, { ...training, stepsDone: 0 });
  rejects({ stageSteps: 4.5 }, /whole number/);
  rejects({ learningRate: 0.1 }, /the run is stopped/, { ...training, status: 'stopped' });
  rejects({ learningRate: 0.1 }, /the run is completed/, { ...training, status: 'completed' });
});

test('an adjusted rate holds for every stage; an adjusted budget only for the stage it was set in', () => {
  const s = new Steering();
  assert.equal(s.rateFor(0.01), 0.01);
  assert.equal(s.budgetOf(1, 8), 8);
  s.adjust({ learningRate: 0.001, stageSteps: 5 }, 1);
  assert.equal(s.rateFor(0.01), 0.001);
  assert.equal(s.rateFor(0.02), 0.001);
  assert.equal(s.budgetOf(1, 8), 5);
  assert.equal(s.budgetOf(2, 8), 8);
  s.adjust({ stageSteps: 9 }, 2);
  assert.equal(s.budgetOf(1, 8), 8);
  assert.equal(s.budgetOf(2, 8), 9);
});

test('the state a stage receives (or carries over continue-as-new) rebuilds the same steering', () => {
  const s = new Steering();
  s.paused = true;
  s.adjust({ learningRate: 0.003, stageSteps: 4 }, 0);
  const copy = new Steering(JSON.parse(JSON.stringify(s.state())));
  assert.deepEqual(copy.state(), {
    paused: true,
    stopRequested: false,
    learningRate: 0.003,
    stageSteps: { stage: 0, steps: 4 },
  });
  assert.deepEqual(new Steering().state(), { paused: false, stopRequested: false });
});
