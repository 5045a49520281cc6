/**
 * Steering a running experiment through the CLI against the real dev server and real workers: pause holds the run
 * at a step boundary, adjust is validated by the run (rejected with a reason, or applied from the next step),
 * resume continues, stop ends gracefully with a final checkpoint. Also checks that a batch sampled ahead for a step
 * its stage never ran (the budget was shortened) is not served to the next stage, which starts at that step.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { ROOT } from '../../infra/paths.mjs';
import { listCheckpoints, verifyCheckpoint } from '../../storage/checkpoints.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys, stepOfKey } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { progressQuery } from '../../workflows/messages.ts';
import type { ExperimentProgress } from '../../workflows/progress.ts';
import { historyChain } from '../helpers/history-chain.ts';
import { useRunStack } from '../helpers/run-stack.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';

const stack = useRunStack();
const exec = promisify(execFile);

/** Runs the real CLI; resolves with its exit code and output instead of throwing on a non-zero exit. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(
      process.execPath,
      [path.join(ROOT, 'bin', 'omni-zero.js'), ...args, '--address', stack.env.address],
      {
        encoding: 'utf8',
        cwd: ROOT,
      }
    );
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const progressOf = (h: WorkflowHandle) => h.query<ExperimentProgress>(progressQuery);

async function start(name: string, stepsPerStage: number) {
  const storage = `file://${mkdtempSync(path.join(os.tmpdir(), `oz-steer-${name}-`))}`;
  const runId = `steer-${name}-${Date.now()}`;
  const config = tinyExperiment({ name, storage, workers: stack.workers, stepsPerStage, tasks: ['code', 'math'] });
  const handle = await stack.env.client.workflow.start('experiment', {
    args: [{ config, runId }],
    taskQueue: stack.workers.queues.main,
    workflowId: runId,
  });
  return { handle, runId };
}

test('pause holds the run at a step boundary; adjust is validated, then applied; resume continues to the end', async () => {
  const { handle, runId } = await start('pause', 8);
  await waitFor('step 1', async () => ((await progressOf(handle)).step >= 1 ? true : null));
  const paused = await cli('pause', runId);
  assert.equal(paused.code, 0, paused.stderr);
  assert.equal((await progressOf(handle)).status, 'paused');

  // Invalid adjustments are rejected by the run with the reason, and change nothing.
  const badLr = await cli('adjust', runId, '--lr', '2');
  assert.notEqual(badLr.code, 0);
  assert.match(badLr.stderr, /learningRate must be a number in \(0, 1\), got 2/);
  const badSteps = await cli('adjust', runId, '--stage-steps', '0');
  assert.notEqual(badSteps.code, 0);
  assert.match(badSteps.stderr, /stageSteps must be a whole number ≥ \d+/);

  // The step in flight finishes (however long that takes on a loaded machine); after that nothing moves.
  let heldAt = (await progressOf(handle)).step;
  for (let seen = -1; seen !== heldAt; ) {
    seen = heldAt;
    await new Promise((r) => setTimeout(r, 3000));
    heldAt = (await progressOf(handle)).step;
  }
  await new Promise((r) => setTimeout(r, 5000));
  assert.equal((await progressOf(handle)).step, heldAt, 'a paused run must not take steps');

  assert.ok(heldAt < 8, `paused inside the first stage (at step ${heldAt})`);
  // While paused: end the code stage at the step it holds at (its batch for that step was already sampled ahead),
  // and lower the learning rate.
  const stageSteps = heldAt;
  const adjusted = await cli('adjust', runId, '--lr', '0.0001', '--stage-steps', String(stageSteps));
  assert.equal(adjusted.code, 0, adjusted.stderr);
  assert.deepEqual(JSON.parse(adjusted.stdout).adjusted, { learningRate: 0.0001, stageSteps, stage: 'code' });

  assert.equal((await cli('resume', runId)).code, 0);
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, stageSteps + 8);
  assert.deepEqual(
    result.evaluations.map((e) => [e.after, e.step]),
    [
      ['base', 0],
      ['code', stageSteps],
      ['math', stageSteps + 8],
    ]
  );

  const store = openBlobStore(result.base);
  const metricKeys = (await store.list(runKeys.metricsPrefix())).map((b) => b.key);
  assert.deepEqual(
    metricKeys.map(stepOfKey),
    Array.from({ length: stageSteps + 8 }, (_, i) => i),
    'every step exactly once'
  );
  const lrOf = async (step: number) =>
    (JSON.parse(new TextDecoder().decode(await store.get(runKeys.metrics(step)))) as { learningRate: number })
      .learningRate;
  assert.notEqual(await lrOf(0), 0.0001);
  assert.equal(await lrOf(heldAt), 0.0001, 'the adjusted rate is used from the next step on');
  assert.equal(await lrOf(stageSteps + 7), 0.0001, 'and carried into later stages');

  // The math stage's first step is math prompts, though a code batch may have been sampled ahead for that step.
  const rows = new TextDecoder()
    .decode(await store.get(runKeys.prompts(stageSteps)))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string });
  assert.ok(rows.length > 0);
  assert.deepEqual([...new Set(rows.map((r) => r.kind))], ['math']);
  const sampledByCode: number[] = [];
  for (const r of await historyChain(stack.env.client, `${runId}/stage-0-code`))
    for (const e of r.history.events ?? []) {
      const a = e.activityTaskScheduledEventAttributes;
      if (a?.activityType?.name === 'sampleBatch')
        sampledByCode.push(JSON.parse(Buffer.from(a.input?.payloads?.[0]?.data ?? []).toString('utf8')).step);
    }
  assert.ok(
    sampledByCode.includes(stageSteps),
    `the code stage sampled ahead for step ${stageSteps}: ${sampledByCode}`
  );
});

test('stop ends the run at a step boundary with a final checkpoint that verifies', async () => {
  const { handle, runId } = await start('stop', 20);
  await waitFor('step 2', async () => ((await progressOf(handle)).step >= 2 ? true : null));
  const stopped = await cli('stop', runId);
  assert.equal(stopped.code, 0, stopped.stderr);
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'stopped');
  assert.ok(result.steps >= 2 && result.steps < 40, `stopped after ${result.steps} steps`);
  assert.equal((await progressOf(handle)).status, 'stopped');
  const store = openBlobStore(result.base);
  const kept = await listCheckpoints(store, '');
  assert.equal(kept.at(-1)?.step, result.steps, 'the last checkpoint is at the step the run stopped');
  const v = await verifyCheckpoint(store, kept.at(-1)!.prefix, { deep: true });
  assert.equal(v.ok, true, v.problems.join('; '));
  const metricSteps = (await store.list(runKeys.metricsPrefix())).map((b) => stepOfKey(b.key));
  assert.deepEqual(
    metricSteps,
    Array.from({ length: result.steps }, (_, i) => i)
  );
  // A stopped run cannot be steered any more.
  const late = await cli('adjust', runId, '--lr', '0.001');
  assert.notEqual(late.code, 0);
});
