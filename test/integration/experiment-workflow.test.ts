import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { TEMPORAL_BIN } from '../../infra/paths.mjs';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { progressQuery } from '../../workflows/messages.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import { type RunningWorkers, startTestWorkers } from '../helpers/workers.ts';

const run = promisify(execFile);
let env: TemporalTestEnv;
let workers: RunningWorkers;
let validConfig: Record<string, unknown>;

before(async () => {
  env = await temporalTestEnv();
  workers = await startTestWorkers(env, ['main', 'gpu', 'cpu', 'io']);
  // Two single-task stages of 3 steps; the window (12 → 16 tokens) grows at global step 2, inside the code stage.
  validConfig = tinyExperiment({
    name: 'wf-plan',
    storage: `file://${mkdtempSync(path.join(os.tmpdir(), 'oz-wf-'))}`,
    workers,
  });
});
after(async () => {
  await workers.stop();
  await env.teardown();
});

function temporalCli(...args: string[]) {
  return run(TEMPORAL_BIN, [...args, '--address', env.address], { encoding: 'utf8' });
}

test('a valid config pasted as the bare input runs its plan to completion and shows in `temporal workflow list`', async () => {
  const workflowId = `wf-plan-${Date.now()}`;
  const handle = await env.client.workflow.start('experiment', {
    args: [validConfig],
    taskQueue: workers.queues.main,
    workflowId,
  });
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.runId, workflowId);
  // code precedes math in the default curriculum order (OT §3.2): code steps 0–2, math 3–5.
  assert.deepEqual(
    result.plan.stages.map((s) => [s.name, s.startStep, s.endStep]),
    [
      ['code', 0, 3],
      ['math', 3, 6],
    ]
  );
  // The run-wide window grows at global step 2, inside the code stage.
  assert.deepEqual(result.plan.stages[0].windows, [
    { fromStep: 0, toStep: 2, maxTokens: 12 },
    { fromStep: 2, toStep: 3, maxTokens: 16 },
  ]);
  assert.equal(result.plan.batch.responsesPerStep, 4);
  const progress = await handle.query(progressQuery);
  assert.equal(progress.status, 'completed');
  assert.equal(progress.totalSteps, 6);
  assert.equal(progress.step, 6);

  // Visibility is eventually consistent: poll the CLI's list until the run appears with its attributes.
  let listed: any[] = [];
  for (let i = 0; i < 50 && listed.length === 0; i++) {
    const { stdout } = await temporalCli(
      'workflow',
      'list',
      '--query',
      `OmniRun = "${workflowId}" AND WorkflowType = "experiment"`,
      '--output',
      'json'
    );
    listed = stdout.trim() ? JSON.parse(stdout) : [];
    if (listed.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(listed.length, 1, 'the run is found by its OmniRun search attribute');
  const sa = JSON.stringify(listed[0].searchAttributes);
  for (const key of ['OmniExperiment', 'OmniRun', 'OmniStatus', 'OmniStage', 'OmniStep'])
    assert.match(sa, new RegExp(key));
  const described = await handle.describe();
  assert.equal(described.searchAttributes.OmniStatus?.[0], 'completed');
  assert.equal(described.searchAttributes.OmniExperiment?.[0], 'wf-plan');
  assert.equal(described.searchAttributes.OmniStage?.[0], 'math');
  assert.equal(described.searchAttributes.OmniStep?.[0], 6);
  assert.match(String((await described.memo)?.summary), /wf-plan: curriculum, 2 stages/);
});

test('an invalid config started from the temporal CLI fails non-retryably with every problem listed', async () => {
  const workflowId = `wf-invalid-${Date.now()}`;
  const bad = {
    ...validConfig,
    lerningRate: 0.1, // misspelt key
    seed: 'seven', // wrong type
    rollout: { promptsPerStep: 2, groupSize: 1 }, // out of range: a group needs ≥ 2 responses
  };
  await temporalCli(
    'workflow',
    'start',
    '--type',
    'experiment',
    '--task-queue',
    workers.queues.main,
    '--workflow-id',
    workflowId,
    '--input',
    JSON.stringify(bad)
  );
  const handle = env.client.workflow.getHandle(workflowId);
  const err = await handle.result().then(
    () => assert.fail('the workflow should fail'),
    (e: unknown) => e
  );
  assert.ok(err instanceof WorkflowFailedError);
  const cause = err.cause as { message: string; type?: string; nonRetryable?: boolean };
  assert.equal(cause.type, 'InvalidExperimentConfig');
  assert.equal(cause.nonRetryable, true);
  assert.match(cause.message, /invalid experiment config \(3 problems\)/);
  assert.match(cause.message, /- lerningRate: unknown key/);
  assert.match(cause.message, /- seed: must be (a number|an integer)/);
  assert.match(cause.message, /- rollout\.groupSize: /);
  // One attempt only: the failure is final, not a workflow-task retry loop.
  const { stdout } = await temporalCli('workflow', 'describe', '--workflow-id', workflowId, '--output', 'json');
  assert.match(stdout, /WORKFLOW_EXECUTION_STATUS_FAILED|"status":\s*"Failed"|FAILED/);
  assert.equal((await handle.describe()).searchAttributes.OmniStatus?.[0], 'failed');
});
