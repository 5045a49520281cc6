/**
 * Issue 5, crash item 4: the S3 server (MinIO) stopped for 30 s mid-run and started again on the same port and data
 * folder; activities retry through the outage (the SDK's retries, then Temporal's) and the run completes intact. The
 * config learns (test/helpers/learning-config.ts), and the run passes the honest checks (test/helpers/honest-resume.ts)
 * against the same config run once MinIO is back: weights moved from the base, gradient > 0 from the interrupted step
 * on, same batch there, same Adam moments and final weights.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type S3Server, startS3Server } from '../../infra/s3-server.ts';
import { runKeys } from '../../storage/run-layout.ts';
import { S3BlobStore } from '../../storage/s3-store.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import {
  activityOutcomes,
  assertRunIntact,
  pendingActivities,
  uniqueQueues,
  waitUntil,
} from '../helpers/durability.ts';
import { assertHonestResume, baseWeightsOf } from '../helpers/honest-resume.ts';
import { learningExperiment } from '../helpers/learning-config.ts';
import { spawnWorker, type WorkerProcess } from '../helpers/processes.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';

const OUTAGE_MS = 30_000;
const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-dur-s3-'));
let env: TemporalTestEnv;
let s3: S3Server | null = null;
const procs: WorkerProcess[] = [];

before(async () => {
  env = await temporalTestEnv();
});
after(async () => {
  for (const p of procs) await p.kill();
  await env.teardown();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the S3 server stopped for 30 s mid-run: activities retry through it and the run completes', {
  timeout: 240_000,
}, async (t) => {
  const dataDir = path.join(dir, 'data');
  s3 = await startS3Server({ dataDir });
  const port = s3.port;
  // This test's own server, not the one `npm test` shares: workers and the test's store are pointed at it.
  const s3Env = s3.env;
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) process.env[k] = s3Env[k];
  const bucket = `oz-dur-s3-${process.pid}`;
  await new S3BlobStore(bucket, '', { endpoint: s3.endpoint }).ensureBucket();
  const queues = uniqueQueues('s3');
  const workerEnv = { ...s3Env, OMNI_ZERO_BACKEND: process.env.OMNI_ZERO_BACKEND || 'tensorflow' };
  const workers = await Promise.all([
    spawnWorker({ roles: ['main', 'cpu', 'io'], queues, address: env.address, env: workerEnv }),
    spawnWorker({ roles: ['gpu'], queues, address: env.address, env: workerEnv }),
  ]);
  procs.push(...workers);

  const config = learningExperiment({ name: 'durability', storage: `s3://${bucket}/runs`, queues, heartbeat: '5s' });
  const start = async (tag: string) => {
    const runId = `dur-s3-${tag}-${Date.now()}`;
    const handle = await env.client.workflow.start('experiment', {
      args: [{ config, runId }],
      taskQueue: queues.main,
      workflowId: runId,
    });
    return { runId, handle, store: new S3BlobStore(bucket, `runs/${runId}`, { endpoint: s3!.endpoint }) };
  };
  const { runId, handle, store } = await start('outage');
  await waitUntil('step 1', async () => store.head(runKeys.metrics(1)), 120_000);

  const resumeStep = (await store.list(runKeys.metricsPrefix())).length;
  await s3.stop();
  const downAt = Date.now();
  // The outage reaches a running activity, which waits it out heartbeating (activities/blob-retry.ts).
  const waiting = await waitUntil(
    'an activity heartbeating while it waits for S3',
    async () =>
      (await pendingActivities(env.client, runId)).find(
        (a) => typeof a.heartbeat === 'object' && a.heartbeat !== null && 'waitingFor' in a.heartbeat
      ),
    OUTAGE_MS - 2000
  );
  await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - downAt))));
  s3 = await startS3Server({ dataDir, port });
  const upAt = Date.now();
  // The reference: the same config, started once MinIO is back, so no outage touches it.
  const reference = await start('alone');

  const result = (await handle.result().catch((err) => {
    let why = '';
    for (let e = err; e; e = e.cause) why += ` <- ${e.name}: ${e.message}`;
    throw new Error(`the run failed through the S3 outage:${why}`);
  })) as ExperimentResult;
  const doneMs = Date.now() - upAt;
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 6);
  for (const w of workers) assert.equal(w.child.exitCode, null, `worker ${w.pid} exited:\n${w.output()}`);
  await assertRunIntact(env.client, runId, store, 6);
  const referenceResult = (await reference.handle.result()) as ExperimentResult;
  assert.equal(referenceResult.status, 'completed');
  const checked = await assertHonestResume({
    reference: reference.store,
    resumed: store,
    baseWeights: await baseWeightsOf(config),
    resumeStep,
    finalStep: 6,
  });
  const outcomes = Object.fromEntries(
    await Promise.all(
      ['sampleBatch', 'rollout', 'score', 'update', 'checkpoint'].map(
        async (a) => [a, await activityOutcomes(env.client, runId, a)] as const
      )
    )
  );
  t.diagnostic(
    JSON.stringify({
      waiting: waiting.activityType,
      downMs: upAt - downAt,
      completedAfterRestartMs: doneMs,
      outcomes,
      resumeStep,
      ...checked.figures,
    })
  );
});
