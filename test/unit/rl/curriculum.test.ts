import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OT_CURRICULUM_ORDER, stageAt } from '../../../rl/curriculum.ts';

const STAGES = [
  { name: 'code', steps: 100 },
  { name: 'math', steps: 200 },
  { name: 'qa', steps: 50 },
  { name: 'writing', steps: 150 },
];

test('stageAt walks the budgets: code [0,100), math [100,300), qa [300,350), writing [350,500)', () => {
  const at = (step: number) => {
    const p = stageAt(STAGES, step);
    return p && [p.stage.name, p.index, p.startStep, p.stepInStage];
  };
  assert.deepEqual(at(0), ['code', 0, 0, 0]);
  assert.deepEqual(at(99), ['code', 0, 0, 99]);
  assert.deepEqual(at(100), ['math', 1, 100, 0]);
  assert.deepEqual(at(299), ['math', 1, 100, 199]);
  assert.deepEqual(at(300), ['qa', 2, 300, 0]);
  assert.deepEqual(at(349), ['qa', 2, 300, 49]);
  assert.deepEqual(at(350), ['writing', 3, 350, 0]);
  assert.deepEqual(at(499), ['writing', 3, 350, 149]);
  assert.equal(at(500), null, 'every budget spent');
});

test('joint training is one stage; OT order is code → math → qa → writing', () => {
  assert.deepEqual(stageAt([{ steps: 700 }], 699), { index: 0, stage: { steps: 700 }, startStep: 0, stepInStage: 699 });
  assert.deepEqual([...OT_CURRICULUM_ORDER], ['code', 'math', 'qa', 'writing']);
});

test('bad stages and steps are rejected, even a bad stage later than the current one', () => {
  assert.throws(() => stageAt([], 0), /stages: a curriculum needs at least one stage/);
  assert.throws(() => stageAt([{ steps: 10 }, { steps: 0 }], 0), /stages\[1\]\.steps: must be a whole number > 0/);
  assert.throws(() => stageAt(STAGES, -1), /globalStep/);
});
