/**
 * The score of a step is scheduled with its rollout and waits for the rollout's output in its worker
 * (activities/dataflow.ts). When the rollout fails for good, the stage must cancel that waiting score rather than
 * leave it polling a done-marker that will never come until its long timeout. Real workflows, real dev server, the
 * real score activity; only the rollout is replaced by one that fails with a non-retryable error (with 2 shards, only
 * shard 1 fails: the score waiting for both must be cancelled all the same).
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
import type { RolloutInput } from '../../activities/types.ts';
import { waitForKey } from '../../activities/wait-for-key.ts';
import { setOwnGpuQueue } from '../../activities/worker-queue.ts';
import { runKeys } from '../../storage/run-layout.ts';
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

for (const shards of [1, 2]) {
  const what = shards === 1 ? 'a rollout' : 'one of 2 rollout shards (the other succeeds)';
  test(`${what} that fails for good cancels the score waiting for it, and the run fails at once`, async () => {
    await failingRollout(shards);
  });
}

async function failingRollout(shards: number): Promise<void> {
  const queues = {
    main: uniqueTaskQueue('main'),
    gpu: uniqueTaskQueue('gpu'),
    cpu: uniqueTaskQueue('cpu'),
    io: uniqueTaskQueue('io'),
  };
  setOwnGpuQueue(queues.gpu); // the real rollout reports the queue of the worker that ran it
  const real = activitiesFor('gpu').rollout as (input: RolloutInput) => Promise<unknown>;
  const rolloutFails = async (input: RolloutInput) => {
    if ((input.shard?.index ?? 1) === 1) {
      // Sharded: fail once shard 0 has finished, so the score is cancelled with one shard's output already in.
      if (input.shard) await waitForKey(input.run, runKeys.rolloutShardDone(input.step, 0, input.shard.count), {});
      throw ApplicationFailure.nonRetryable('injected: the rollout cannot run', 'InjectedFailure');
    }
    return real(input);
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
      // Two: the failing shard waits for the other.
      maxConcurrentActivityTaskExecutions: 2,
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
    const config = tinyExperiment({ name: 'pipelined', storage, workers: { queues } as RunningWorkers }) as {
      orchestration: Record<string, unknown>;
    };
    config.orchestration.rollout = { shards };
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
    const rolloutScheduled = [...scheduled].filter(([, name]) => name === 'rollout').map(([id]) => Number(id));
    assert.equal(rolloutScheduled.length, shards, `${shards} rollout activities`);
    assert.ok(Math.max(...rolloutScheduled) < Number(scoreScheduled[0]) + 2, 'in the same task');
    const completed = events.filter((e) =>
      rolloutScheduled.includes(Number(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? -1))
    );
    assert.equal(completed.length, shards - 1, 'the shard that does not fail completed');
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
}
