import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkpointDue,
  periodicEvaluationDue,
  reportDue,
  type StageCadence,
} from '../../../workflows/stage-cadence.ts';

const cadence: StageCadence = {
  checkpointEverySteps: 2,
  evaluateEverySteps: 3,
  continueAsNewEverySteps: 10,
  reportEverySteps: 4,
};
/** A stage of steps [10, 16). */
const after = (step: number, stopping = false) => ({ step, doneInStage: step - 10, atEnd: step >= 16, stopping });
const dueAt = (due: (c: StageCadence, at: ReturnType<typeof after>) => boolean, c = cadence) =>
  [11, 12, 13, 14, 15, 16].filter((step) => due(c, after(step)));

test('reports every reportEverySteps steps of the stage, at its end, and when stopping', () => {
  assert.deepEqual(dueAt(reportDue), [14, 16]);
  assert.equal(reportDue(cadence, after(11, true)), true);
  assert.deepEqual(dueAt(reportDue, { ...cadence, reportEverySteps: undefined }), [11, 12, 13, 14, 15, 16]);
});

test('periodic evaluations at global multiples, except the last step unless the stage-end evaluation is off', () => {
  assert.deepEqual(dueAt(periodicEvaluationDue, { ...cadence, evaluateEverySteps: 4 }), [12]);
  assert.deepEqual(dueAt(periodicEvaluationDue, { ...cadence, evaluateEverySteps: 8 }), []);
  assert.deepEqual(
    dueAt(periodicEvaluationDue, { ...cadence, evaluateEverySteps: 8, evaluateAtStageEnd: false }),
    [16]
  );
  assert.deepEqual(dueAt(periodicEvaluationDue, { ...cadence, evaluateEverySteps: 0 }), []);
});

test('checkpoints every checkpointEverySteps steps of the stage, never at its end (the stage end takes its own)', () => {
  assert.deepEqual(dueAt(checkpointDue), [12, 14]);
});
