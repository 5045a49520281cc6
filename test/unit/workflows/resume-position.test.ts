import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  NOTHING_TO_RESUME,
  planAsRun,
  RESUME_MISMATCH,
  ResumePositionError,
  resumeStageIndex,
} from '../../../workflows/resume-position.ts';
import type { RunPlan } from '../../../workflows/run-plan.ts';

/** Stages code [0,3), math [3,6), qa [6,10): 10 steps. */
function plan(budgets: [string, number][]): RunPlan {
  let start = 0;
  const stages = budgets.map(([name, steps], index) => {
    const s = { index, name, tasks: [], steps, startStep: start, endStep: start + steps, windows: [] };
    start += steps;
    return s;
  });
  return { totalSteps: start, stages } as unknown as RunPlan;
}
const p = plan([
  ['code', 3],
  ['math', 3],
  ['qa', 4],
]);

const failsWith = (fn: () => unknown, type: string, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof ResumePositionError && e.type === type && re.test(e.message));

test('mid-stage: continue in the stage holding the step', () => {
  assert.equal(resumeStageIndex(p, 2, 'code'), 0); // steps 0,1 done; step 2 is code's last
  assert.equal(resumeStageIndex(p, 4, 'math'), 1);
  assert.equal(resumeStageIndex(p, 9, 'qa'), 2);
});

test('a stage-end checkpoint continues at the next stage, never zero steps', () => {
  assert.equal(resumeStageIndex(p, 3, 'code'), 1); // code = [0,3) done → math
  assert.equal(resumeStageIndex(p, 6, 'math'), 2);
});

test('the end of the plan is an error saying nothing is left', () => {
  failsWith(() => resumeStageIndex(p, 10, 'qa'), NOTHING_TO_RESUME, /step 10, the end of the plan \(10 steps\)/);
  failsWith(() => resumeStageIndex(p, 12, 'qa'), NOTHING_TO_RESUME, /nothing left to train/);
});

test('a checkpoint whose stage disagrees with the plan is refused', () => {
  // Step 3 = after code's last step; a checkpoint claiming 'math' means the old run's budgets differed.
  failsWith(() => resumeStageIndex(p, 3, 'math'), RESUME_MISMATCH, /puts step 2 in 'code'/);
  failsWith(() => resumeStageIndex(p, 0, 'code'), RESUME_MISMATCH, /not a step after training began/);
});

test('property: every step strictly inside the plan resumes into a stage that still has steps to run', () => {
  const budgets = fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 });
  fc.assert(
    fc.property(budgets, fc.nat(), (bs, k) => {
      const pl = plan(bs.map((b, i) => [`s${i}`, b]));
      const step = 1 + (k % (pl.totalSteps - 1 || 1));
      if (step >= pl.totalSteps) return;
      const last = pl.stages.find((s) => step - 1 >= s.startStep && step - 1 < s.endStep)!;
      const i = resumeStageIndex(pl, step, last.name);
      assert.ok(pl.stages[i].startStep <= step && step < pl.stages[i].endStep);
    })
  );
});

test('planAsRun: the recorded (adjusted) stage range replaces the configured one and moves the stages after it', () => {
  // math was cut to [2, 4) after code was cut to 2 steps; qa keeps its 4 steps after it.
  const asRun = planAsRun(p, { stageIndex: 1, stageStartStep: 2, stageEndStep: 4, learningRate: 1e-4 }, 'math');
  assert.deepEqual(
    asRun.stages.map((s) => [s.name, s.startStep, s.endStep, s.steps]),
    [
      ['code', 0, 2, 2],
      ['math', 2, 4, 2],
      ['qa', 4, 8, 4],
    ]
  );
  assert.equal(asRun.totalSteps, 8);
  assert.equal(resumeStageIndex(asRun, 3, 'math'), 1);
  assert.equal(resumeStageIndex(asRun, 4, 'math'), 2); // math's adjusted end → qa
  // The configured plan puts step 2 in code, so it refuses math's step-3 checkpoint: what resume did before.
  failsWith(() => resumeStageIndex(p, 3, 'math'), RESUME_MISMATCH, /were stage budgets adjusted/);
  // Without a record: the configured plan, unchanged.
  assert.equal(planAsRun(p, undefined, 'math'), p);
  // A record naming another stage than the plan's at that index is refused.
  failsWith(
    () => planAsRun(p, { stageIndex: 0, stageStartStep: 0, stageEndStep: 3, learningRate: 1e-4 }, 'math'),
    RESUME_MISMATCH,
    /stage 1 of the plan is 'code'/
  );
});
