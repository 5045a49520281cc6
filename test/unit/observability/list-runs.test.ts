import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listQuery, runTable } from '../../../cli/list-runs.ts';

test('listQuery: experiment workflows only; Temporal statuses vs run statuses; quotes escaped', () => {
  assert.equal(listQuery({}), 'WorkflowType = "experiment"');
  assert.equal(
    listQuery({ experiment: 'demo', status: 'Failed' }),
    'WorkflowType = "experiment" AND OmniExperiment = "demo" AND ExecutionStatus = "Failed"'
  );
  assert.equal(listQuery({ status: 'paused' }), 'WorkflowType = "experiment" AND OmniStatus = "paused"');
  assert.equal(listQuery({ experiment: 'a"b' }), 'WorkflowType = "experiment" AND OmniExperiment = "a\\"b"');
});

test('runTable: aligned plain columns, - for unknowns, reward to 3 decimals', () => {
  const t = runTable([
    {
      run: 'demo-1',
      experiment: 'demo',
      status: 'training',
      stage: 'math',
      step: 37,
      totalSteps: 120,
      reward: 0.41234,
      started: '2026-11-22T03:00:00.000Z',
      closed: null,
    },
    {
      run: 'x',
      experiment: null,
      status: 'failed',
      stage: null,
      step: null,
      totalSteps: null,
      reward: null,
      started: '2026-11-22T04:00:00.000Z',
      closed: null,
    },
  ]);
  assert.equal(
    t,
    [
      'RUN     EXPERIMENT  STATUS    STAGE  STEP    REWARD  STARTED',
      'demo-1  demo        training  math   37/120  0.412   2026-11-22 03:00:00',
      'x       -           failed    -      -/-     -       2026-11-22 04:00:00',
    ].join('\n')
  );
});
