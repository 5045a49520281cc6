/**
 * An update attempt that outlives its heartbeat timeout while still running (its GPU worker process is paused with
 * SIGSTOP mid-update, as a heavily loaded machine stalls it, then resumed): Temporal starts another attempt on the
 * same worker process (its other GPU task queue has a free slot) while the first still holds the run's policy. The
 * run must complete; each step's accepted update must have trained the policy once (a policy at step s + 1 after step
 * s: two attempts training the one in-memory policy advance it twice), and the snapshot it names must be the one in
 * the store (an abandoned attempt's later write replaces it, and the next rollout refuses it).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { PolicyRef } from '../../activities/types.ts';
import { readManifest } from '../../storage/checkpoints.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import {
  activityOutcomes,
  assertRunIntact,
  pendingActivities,
  uniqueQueues,
  waitUntil,
} from '../helpers/durability.ts';
import { learningExperiment } from '../helpers/learning-config.ts';
import { spawnWorker, type WorkerProcess } from '../helpers/processes.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';

const HEARTBEAT = '3s';
let env: TemporalTestEnv;
let gpu: WorkerProcess | undefined;
let shared: WorkerProcess | undefined;

before(async () => {
  env = await temporalTestEnv();
});
after(async () => {
  if (gpu) process.kill(gpu.pid, 'SIGCONT');
  await gpu?.kill();
  await shared?.kill();
  await env.teardown();
  await stopOwnS3();
});

test('an update attempt abandoned mid-update leaves the accepted snapshot intact', { timeout: 420_000 }, async (t) => {
  const storage = `s3://${(await freshBucket('oz-upd-retry')).bucket}/runs`;
  const queues = uniqueQueues('upd-retry');
  const backend = { OMNI_ZERO_BACKEND: process.env.OMNI_ZERO_BACKEND || 'tensorflow' };
  shared = await spawnWorker({ roles: ['main', 'cpu', 'io'], queues, address: env.address, env: backend });
  gpu = await spawnWorker({ roles: ['gpu'], queues, address: env.address, env: backend });
  const config = learningExperiment({ name: 'upd-retry', storage, queues, stepsPerStage: 2, heartbeat: HEARTBEAT });
  // 64 sequences in micro-batches of one: an update of many seconds, heartbeating after each micro-batch.
  Object.assign(config, {
    rollout: { groupSize: 8, promptsPerStep: 8 },
    grpo: { learningRate: 0.0003, miniBatchSize: 8, gradientAccumulation: 64 },
  });
  const runId = `upd-retry-${Date.now()}`;
  const handle = await env.client.workflow.start('experiment', {
    args: [{ config, runId }],
    taskQueue: queues.main,
    workflowId: runId,
  });
  const ended = handle.result().then(
    () => Promise.reject(new Error('the run ended before an update was caught mid-way')),
    (err: Error) => Promise.reject(err)
  );
  // The second stage's update runs on the GPU worker's own queue (the worker holding the policy), with one attempt
  // there: timed out, it goes to the shared GPU queue, which the same process also polls with a free slot.
  const training = () =>
    pendingActivities(env.client, runId).then((ps) =>
      ps.find(
        (p) =>
          p.workflowId.endsWith('stage-1-math') &&
          p.activityType === 'update' &&
          (p.heartbeat as { microBatchesDone?: number })?.microBatchesDone
      )
    );
  const caught = await Promise.race([waitUntil('an update mid-way', training, 240_000), ended]);
  process.kill(gpu.pid, 'SIGSTOP');
  const pausedAt = Date.now();
  await sleep(2 * msToNumber(HEARTBEAT) + 2000); // past the heartbeat timeout, and the fallback's scheduling
  process.kill(gpu.pid, 'SIGCONT');
  t.diagnostic(JSON.stringify({ caught, pausedMs: Date.now() - pausedAt }));

  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  const store = openBlobStore(result.base);
  const updates = await activityOutcomes(env.client, runId, 'update');
  t.diagnostic(JSON.stringify({ updates }));
  assert.ok(updates.timedOut >= 1, `the pause cost no update attempt: ${JSON.stringify(updates)}`);
  await assertRunIntact(env.client, runId, store, 4);
  for (const step of [0, 1, 2, 3]) {
    const done = JSON.parse(Buffer.from(await store.get(runKeys.phaseDone(step, 'update'))).toString()) as {
      policy: PolicyRef;
    };
    assert.equal(done.policy.step, step + 1, `step ${step}'s update trained the policy more than once`);
    if (step < 2) continue; // the snapshots of steps 0 and 1 are gone (the newest two are kept)
    const manifest = await readManifest(store, done.policy.key);
    assert.equal(manifest?.manifestSha256, done.policy.sha256, `step ${step}: the accepted snapshot was replaced`);
  }
});
