/**
 * Issue 5, crash item 2 and DESIGN's resume-equality rule: a GPU worker process killed with SIGKILL in the middle of
 * a rollout or an update is replaced, the run completes with every step done exactly once, and it passes the honest
 * checks against the same run left alone (test/helpers/honest-resume.ts): weights moved from the base, gradient > 0
 * after the kill, same Adam moments in every later checkpoint, byte-identical final weights. The config learns
 * (test/helpers/learning-config.ts), so those checks can fail: the negative controls replace the killed worker with
 * one that loads the base weights or drops the Adam state (test/helpers/broken-gpu-worker.ts) and assert that the
 * checks catch it. (The data cursor lives in the workflow's state, not in a GPU worker; resume-run.test.ts breaks it.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { WorkerRole } from '../../workers/task-queues.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import {
  activityOutcomes,
  assertRunIntact,
  finalWeightsSha,
  gpuWorkStarted,
  uniqueQueues,
  waitUntil,
} from '../helpers/durability.ts';
import { assertHonestResume, baseWeightsOf, type HonestCheck, honestResumeChecks } from '../helpers/honest-resume.ts';
import { learningExperiment } from '../helpers/learning-config.ts';
import { spawnBrokenGpuWorker, spawnWorker, type WorkerProcess } from '../helpers/processes.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';
import { type TemporalTestEnv, temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.ts';

// One backend in every worker process: the equality claim is about one backend's arithmetic.
const BACKEND = { OMNI_ZERO_BACKEND: process.env.OMNI_ZERO_BACKEND || 'tensorflow' };
let env: TemporalTestEnv;
let storage: string;
let shared: Record<WorkerRole, string>;
let baseWeights: Uint8Array;
let sharedWorker: WorkerProcess;
const kills: (() => Promise<unknown>)[] = [];

before(async () => {
  env = await temporalTestEnv();
  storage = `s3://${(await freshBucket('oz-dur-kill')).bucket}/runs`;
  // Workflows, data and scoring for every run of this file in one process; each run gets its own GPU process.
  shared = uniqueQueues('kill');
  baseWeights = await baseWeightsOf(learningExperiment({ name: 'durability', storage, queues: shared }));
  sharedWorker = await spawnWorker({
    roles: ['main', 'cpu', 'io'],
    queues: shared,
    address: env.address,
    env: BACKEND,
  });
  kills.push(() => sharedWorker.kill());
});
after(async () => {
  for (const kill of kills) await kill();
  await env.teardown();
  await stopOwnS3();
});

async function startRun(tag: string) {
  const queues = { ...shared, gpu: uniqueTaskQueue(`${tag}-gpu`) };
  const gpu = await spawnWorker({ roles: ['gpu'], queues, address: env.address, env: BACKEND });
  kills.push(() => gpu.kill());
  const runId = `dur-${tag}-${Date.now()}`;
  const config = learningExperiment({ name: 'durability', storage, queues, heartbeat: '5s' });
  const handle = await env.client.workflow.start('experiment', {
    args: [{ config, runId }],
    taskQueue: queues.main,
    workflowId: runId,
  });
  return { runId, handle, gpu, queues, store: openBlobStore(`${storage}/${runId}`) };
}
type Run = Awaited<ReturnType<typeof startRun>>;

/** After step 1, kills the run's GPU worker inside a rollout or update; `step` is the first step not done then. */
async function killInGpuWork(run: Run) {
  // A run that fails before step 1 (a backend that does not load, say) ends the wait with its failure.
  const ended = run.handle.result().then(
    () => Promise.reject(new Error('the run completed before step 1 was seen')),
    (err: Error) => Promise.reject(new Error(`the run failed before step 1: ${causes(err)}`))
  );
  await Promise.race([waitUntil('step 1', async () => run.store.head(runKeys.metrics(1)), 180_000), ended]).catch(
    (err) => {
      const tail = (w: WorkerProcess) => w.output().slice(-3000);
      throw new Error(`${err.message}\nshared worker:\n${tail(sharedWorker)}\nGPU worker:\n${tail(run.gpu)}`);
    }
  );
  const caught = await gpuWorkStarted(env.client, run.runId);
  await run.gpu.kill('SIGKILL');
  const killedAt = Date.now();
  const step = (await run.store.list(runKeys.metricsPrefix())).length;
  return { caught, killedAt, step };
}

/** An error and its causes on one line (a workflow failure's reason is at the bottom of the chain). */
function causes(err: unknown): string {
  const out: string[] = [];
  for (let e = err as (Error & { cause?: unknown }) | undefined; e; e = e.cause as typeof e) out.push(e.message);
  return out.join(' <- ');
}

/** Attempts of the run's rollouts and updates lost to a dead worker (timed out, or started again). */
async function lostGpuAttempts(runId: string): Promise<number> {
  let lost = 0;
  for (const type of ['rollout', 'update']) {
    const o = await activityOutcomes(env.client, runId, type);
    lost += o.timedOut + o.retriedStarts;
  }
  return lost;
}

let alone: { runId: string; base: string };

test('kill -9 of the GPU worker mid-step: the run completes, each step once, same weights and Adam state as left alone', {
  timeout: 420_000,
}, async (t) => {
  // Both runs at once (the machine has 2 cores; sequential would double the wall time).
  const calm = await startRun('alone');
  const killed = await startRun('killed');
  const kill = await killInGpuWork(killed);
  const replacement = await spawnWorker({ roles: ['gpu'], queues: killed.queues, address: env.address, env: BACKEND });
  kills.push(() => replacement.kill());
  const replacementUpAt = Date.now();
  await waitUntil('the interrupted step', async () => killed.store.head(runKeys.metrics(kill.step)), 120_000);
  const recoveredMs = Date.now() - kill.killedAt;

  const [ra, rb] = (await Promise.all([calm.handle.result(), killed.handle.result()])) as ExperimentResult[];
  assert.equal(ra.status, 'completed');
  assert.equal(rb.status, 'completed');
  assert.equal(rb.steps, 6);
  alone = { runId: calm.runId, base: ra.base };

  // The kill really cost an attempt, and the run left alone lost none.
  assert.ok((await lostGpuAttempts(killed.runId)) >= 1, `no rollout/update attempt lost to the kill at ${kill.step}`);
  assert.equal(await lostGpuAttempts(calm.runId), 0, 'rollout/update attempts lost by the run left alone');
  await assertRunIntact(env.client, killed.runId, openBlobStore(rb.base), 6);
  await assertRunIntact(env.client, calm.runId, openBlobStore(ra.base), 6);
  const checked = await assertHonestResume({
    reference: openBlobStore(ra.base),
    resumed: openBlobStore(rb.base),
    baseWeights,
    resumeStep: kill.step,
    finalStep: 6,
  });
  t.diagnostic(
    JSON.stringify({
      caught: kill.caught,
      killedInStep: kill.step,
      replacementStartMs: replacementUpAt - kill.killedAt,
      interruptedStepDoneMs: recoveredMs,
      finalSha: (await finalWeightsSha(openBlobStore(rb.base), 6)).slice(0, 16),
      ...checked.figures,
    })
  );
});

/** The honest check each broken replacement must fail. */
const CAUGHT_BY = { 'reload-base': 'weights', 'drop-adam': 'adam' } as const satisfies Record<string, HonestCheck>;

test('negative controls: a replacement GPU worker that reloads the base, or drops the Adam state, fails the checks', {
  timeout: 420_000,
}, async (t) => {
  assert.ok(alone, 'needs the run left alone above');
  // Both broken runs at once, as above.
  await Promise.all(
    (['reload-base', 'drop-adam'] as const).map(async (breakage) => {
      const run = await startRun(`broken-${breakage}`);
      const kill = await killInGpuWork(run);
      const broken = await spawnBrokenGpuWorker({
        breakage,
        queue: run.queues.gpu,
        address: env.address,
        env: BACKEND,
      });
      kills.push(() => broken.kill());
      const result = (await run.handle.result()) as ExperimentResult;
      assert.equal(result.status, 'completed', 'a broken recovery runs to the end: only the checks can tell');
      const checked = await honestResumeChecks({
        reference: openBlobStore(alone.base),
        resumed: openBlobStore(result.base),
        baseWeights,
        resumeStep: kill.step,
        finalStep: 6,
      });
      t.diagnostic(JSON.stringify({ breakage, killedInStep: kill.step, failed: checked.failed }));
      assert.ok(checked.failed[CAUGHT_BY[breakage]], `'${CAUGHT_BY[breakage]}' passed with a '${breakage}' worker`);
    })
  );
});
