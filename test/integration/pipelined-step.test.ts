/**
 * The score of a step is scheduled with its rollout and waits for the rollout's output in its worker
 * (activities/dataflow.ts). When the rollout fails for good, the stage must cancel that waiting score rather than
 * leave it polling a done-marker that will never come until its long timeout. Real workflows, real dev server, the
 * real score activity; only the rollout is replaced by one that fails with a non-retryable error.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { activitiesFor } from '../../activities/index.ts';
import { workflowBundle } from '../../workers/workflow-bundle.ts';
import { type TemporalTestEnv, temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import type { RunningWorkers } from '../helpers/workers.ts';

let env: TemporalTestEnv;
before(async () => {
  env = await temporalTestEnv();
});
after(async () => {
  await env.teardown();
});

test('a rollout that fails for good cancels the score waiting for it, and the run fails at once', async () => {
  const queues = {
    main: uniqueTaskQueue('main'),
    gpu: uniqueTaskQueue('gpu'),
    cpu: uniqueTaskQueue('cpu'),
    io: uniqueTaskQueue('io'),
  };
  const rolloutFails = async () => {
    throw ApplicationFailure.nonRetryable('injected: the rollout cannot run', 'InjectedFailure');
  };
  const workers = [
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.main,
      workflowBundle: await workflowBundle(),
      activities: activitiesFor('main'),
    }),
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: queues.gpu,
      activities: { ...activitiesFor('gpu'), rollout: rolloutFails },
      maxConcurrentActivityTaskExecutions: 1,
    }),
    ...(await Promise.all(
      (['cpu', 'io'] as const).map(async (role) =>
        Worker.create({ connection: env.nativeConnection, taskQueue: queues[role], activities: activitiesFor(role) })
      )
    )),
  ];
  const running = workers.map((w) => w.run());
  try {
    const storage = `file://${await mkdtemp(path.join(os.tmpdir(), 'oz-pipelined-'))}`;
    const config = tinyExperiment({ name: 'pipelined', storage, workers: { queues } as RunningWorkers });
    const runId = `pipelined-${Date.now()}`;
    const handle = await env.client.workflow.start('experiment', {
      args: [{ config, runId }],
      taskQueue: queues.main,
      workflowId: runId,
    });
    await assert.rejects(handle.result(), (err) => err instanceof WorkflowFailedError);

    // The stage child: its score was scheduled with the rollout, then cancelled when the rollout failed.
    const parentEvents = (await handle.fetchHistory()).events ?? [];
    const child = parentEvents.find((e) => e.childWorkflowExecutionStartedEventAttributes)
      ?.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
    assert.ok(child, 'the experiment started a stage');
    const events = (await env.client.workflow.getHandle(child).fetchHistory()).events ?? [];
    const scheduled = new Map<string, string>();
    for (const e of events) {
      const a = e.activityTaskScheduledEventAttributes;
      if (a) scheduled.set(String(e.eventId), a.activityType?.name ?? '');
    }
    const scoreScheduled = [...scheduled].filter(([, name]) => name === 'score').map(([id]) => id);
    assert.equal(scoreScheduled.length, 1, 'one score, scheduled together with the rollout');
    const rolloutScheduled = [...scheduled].find(([, name]) => name === 'rollout')?.[0];
    assert.ok(rolloutScheduled && Number(rolloutScheduled) < Number(scoreScheduled[0]) + 2, 'in the same task');
    const cancelRequested = events.filter(
      (e) => String(e.activityTaskCancelRequestedEventAttributes?.scheduledEventId ?? '') === scoreScheduled[0]
    );
    assert.equal(cancelRequested.length, 1, 'the waiting score was cancelled');
    assert.ok(
      events.some((e) => e.activityTaskFailedEventAttributes?.failure?.message?.includes('injected')),
      'the rollout failure is in the history'
    );
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.all(running);
  }
});
