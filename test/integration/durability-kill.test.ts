/**
 * Issue 5, crash item 2 and DESIGN's resume-equality rule: a GPU worker process killed with SIGKILL in the middle of
 * a rollout is replaced, the run completes with every step done exactly once, and its final weights are
 * byte-identical to the same run left alone.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import {
  activityOutcomes,
  assertRunIntact,
  crashExperiment,
  finalWeightsSha,
  rolloutStarted,
  uniqueQueues,
  waitUntil,
} from '../helpers/durability.ts';
import { spawnWorker, type WorkerProcess } from '../helpers/processes.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';

// One backend in every worker process: the equality claim is about one backend's arithmetic.
const BACKEND = { OMNI_ZERO_BACKEND: process.env.OMNI_ZERO_BACKEND || 'tensorflow' };
let env: TemporalTestEnv;
const procs: WorkerProcess[] = [];

before(async () => {
  env = await temporalTestEnv();
});
after(async () => {
  for (const p of procs) await p.kill();
  await env.teardown();
  await stopOwnS3();
});

async function startRun(tag: string, storage: string) {
  const queues = uniqueQueues(tag);
  const spawnGpu = async () => {
    const p = await spawnWorker({ roles: ['gpu'], queues, address: env.address, env: BACKEND });
    procs.push(p);
    return p;
  };
  const [, gpu] = await Promise.all([
    spawnWorker({ roles: ['main', 'cpu', 'io'], queues, address: env.address, env: BACKEND }).then((p) => {
      procs.push(p);
      return p;
    }),
    spawnGpu(),
  ]);
  const runId = `dur-${tag}-${Date.now()}`;
  const handle = await env.client.workflow.start('experiment', {
    args: [{ config: crashExperiment({ name: 'durability', storage, queues, slow: true }), runId }],
    taskQueue: queues.main,
    workflowId: runId,
  });
  return { runId, handle, gpu, spawnGpu };
}

test('kill -9 of the GPU worker mid-rollout: the run completes, each step once, same weights as left alone', {
  timeout: 300_000,
}, async (t) => {
  const bucket = await freshBucket('oz-dur-kill');
  const storage = `s3://${bucket.bucket}/runs`;

  // Both runs at once (the machine has 2 cores; sequential would double the wall time).
  const alone = await startRun('alone', storage);
  const killed = await startRun('killed', storage);

  // Kill inside step 2's rollout, so the new worker must reload a trained policy (weights + Adam state) from S3.
  const store = openBlobStore(`${storage}/${killed.runId}`);
  await waitUntil('step 1 of the killed run', async () => store.head(runKeys.metrics(1)), 120_000);
  const caught = await rolloutStarted(env.client, killed.runId);
  const killedAt = Date.now();
  await killed.gpu.kill('SIGKILL');
  await killed.spawnGpu();
  const replacementUpAt = Date.now();
  const stepDone = await waitUntil(
    'the interrupted step to complete',
    async () => {
      for (let s = 2; s < 6; s++) if (!(await store.head(runKeys.phaseDone(s, 'rollout')))) return s > 2 ? s : null;
      return 6;
    },
    120_000
  );
  const recoveredMs = Date.now() - killedAt;

  const [ra, rb] = (await Promise.all([alone.handle.result(), killed.handle.result()])) as ExperimentResult[];
  assert.equal(ra.status, 'completed');
  assert.equal(rb.status, 'completed');
  assert.equal(rb.steps, 6);

  // The kill really cost an attempt: the rollout it hit timed out (heartbeat, then its queue had no poller) or ran again.
  const hit = await activityOutcomes(env.client, killed.runId, 'rollout');
  assert.ok(hit.timedOut + hit.retriedStarts >= 1, `rollout outcomes after the kill: ${JSON.stringify(hit)}`);
  const calm = await activityOutcomes(env.client, alone.runId, 'rollout');
  assert.equal(calm.timedOut + calm.retriedStarts, 0, `rollouts of the run left alone: ${JSON.stringify(calm)}`);
  await assertRunIntact(env.client, killed.runId, openBlobStore(rb.base), 6);
  await assertRunIntact(env.client, alone.runId, openBlobStore(ra.base), 6);
  const [shaAlone, shaKilled] = await Promise.all([
    finalWeightsSha(openBlobStore(ra.base), 6),
    finalWeightsSha(openBlobStore(rb.base), 6),
  ]);
  assert.equal(shaKilled, shaAlone, 'killed-and-resumed run ends with the same weights as the run left alone');
  t.diagnostic(
    JSON.stringify({
      caught,
      replacementStartMs: replacementUpAt - killedAt,
      rolloutRecoveredMs: recoveredMs,
      rolloutOutcomes: hit,
      stepDone,
      sha: shaAlone.slice(0, 16),
    })
  );
});
