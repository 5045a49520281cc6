/**
 * `omni-zero resume RUN` of a run that ended without finishing: a new linked run continues from the old run's newest
 * deep-verified checkpoint (global step, stage, data cursor), recomputes no earlier step, and — the checkpoint being
 * at a step boundary and the seed the same — ends with exactly the weights of the same run left alone. A resume can
 * never silently train zero steps (verl #7401): from a stage-boundary checkpoint it runs the next stage; from the
 * plan's last step it fails saying there is nothing left; with no valid checkpoint it fails saying so.
 *
 * The config learns (test/helpers/learning-config.ts), so the honest checks (test/helpers/honest-resume.ts) can
 * fail: the last tests resume the same terminated run through deliberately broken `resumeFromCheckpoint` activities
 * (reload the base, drop the Adam state, reset the data cursor; test/helpers/broken-resume.ts) registered by this
 * file's own I/O worker, and assert that the check aimed at each breakage fails.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { activitiesFor } from '../../activities/index.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { listCheckpoints, newestValidCheckpoint, readManifest } from '../../storage/checkpoints.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys, stepOfKey } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { adjustUpdate } from '../../workflows/messages.ts';
import { BREAKAGES, type Breakage, brokenResumeFromCheckpoint } from '../helpers/broken-resume.ts';
import { assertHonestResume, baseWeightsOf, type HonestCheck, honestResumeChecks } from '../helpers/honest-resume.ts';
import { learningExperiment } from '../helpers/learning-config.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import { type RunningWorkers, startActivityWorker, startTestWorkers } from '../helpers/workers.ts';

const run = promisify(execFile);
const CLI = path.join(import.meta.dirname, '..', '..', 'bin', 'omni-zero.js');

let env: TemporalTestEnv;
let workers: RunningWorkers;
/** The I/O worker, run apart so that the negative controls can put a broken one in its place. */
let io: { stop(): Promise<void> };
let storage: string;
let baseWeights: Uint8Array;

before(async () => {
  env = await temporalTestEnv();
  workers = await startTestWorkers(env, ['main', 'gpu', 'cpu']);
  io = await startActivityWorker(env, workers.queues.io, activitiesFor('io'));
  storage = `file://${await mkdtemp(path.join(os.tmpdir(), 'oz-resume-'))}`;
  baseWeights = await baseWeightsOf(config(2));
});
after(async () => {
  await io.stop();
  await workers.stop();
  await env.teardown();
});

/** 2 stages × 3 steps; `checkpointEvery` 100 leaves only the stage-end checkpoints (steps 3 and 6). */
const config = (checkpointEvery: number) =>
  learningExperiment({ name: 'resume', storage, queues: workers.queues, stepsPerStage: 3, checkpointEvery });

async function start(id: string, cfg: Record<string, unknown>, resumeFrom?: { runId: string; base: string }) {
  return env.client.workflow.start('experiment', {
    args: [{ config: cfg, runId: id, ...(resumeFrom ? { resumeFrom } : {}) }],
    taskQueue: workers.queues.main,
    workflowId: id,
  });
}

const baseOf = (id: string) => `${storage}/${id}`;

async function waitFor(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Terminates a run and waits until its store stops changing: an activity already running (a checkpoint applying
 * retention) finishes after the workflow is gone, and a file:// listing that meets a file deleted under it fails
 * with ENOENT.
 */
async function terminate(handle: { terminate(reason: string): Promise<unknown> }, store: BlobStore, reason: string) {
  await handle.terminate(reason);
  const keys = () =>
    store.list('').then(
      (l) => l.map((b) => b.key).join('\n'),
      () => null
    );
  let before = await keys();
  for (const until = Date.now() + 60_000; Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await keys();
    if (now !== null && now === before) return;
    before = now;
  }
  throw new Error(`${store.uri} still changing 60 s after the run was terminated`);
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args, '--address', env.address], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function metricSteps(store: BlobStore): Promise<number[]> {
  return (await store.list(runKeys.metricsPrefix())).map((b) => stepOfKey(b.key) as number);
}

/** sha256 of every weight/optimiser file of the checkpoint at `step` (omni.json names the run, so it is left out). */
async function weightsOf(store: BlobStore, step: number): Promise<Record<string, string>> {
  const m = await readManifest(store, `checkpoints/step-${String(step).padStart(8, '0')}`);
  assert.ok(m, `no checkpoint at step ${step} in ${store.uri}`);
  return Object.fromEntries(m.files.filter((f) => f.path !== 'omni.json').map((f) => [f.path, f.sha256]));
}

let reference: Record<string, string>;
let referenceId: string;
/** The run terminated mid-stage, and the step of the checkpoint it is resumed from (the negative controls reuse it). */
let terminated: { id: string; step: number };

const honest = (resumed: string, resumeStep: number) => ({
  reference: openBlobStore(baseOf(referenceId)),
  resumed: openBlobStore(resumed),
  baseWeights,
  resumeStep,
  finalStep: 6,
});

test('an uninterrupted run: the reference weights', async () => {
  referenceId = `resume-ref-${Date.now()}`;
  const result = (await (await start(referenceId, config(2))).result()) as ExperimentResult;
  assert.equal(result.steps, 6);
  reference = await weightsOf(openBlobStore(baseOf(referenceId)), 6);
  assert.ok(
    Object.keys(reference).some((p) => p.endsWith('.safetensors')),
    JSON.stringify(reference)
  );
});

test('a run terminated mid-stage resumes from its newest checkpoint as a new linked run, ending with the same weights', async (t) => {
  const oldId = `resume-mid-${Date.now()}`;
  const handle = await start(oldId, config(2));
  const oldStore = openBlobStore(baseOf(oldId));
  // Checkpoints every 2 steps: the first is at step 2, inside the first stage (steps 0–2).
  await waitFor(async () => (await oldStore.head('checkpoints/step-00000002/manifest.json')) !== null, 'step 2');
  await terminate(handle, oldStore, 'test: killed mid-stage');
  const ck = await newestValidCheckpoint(oldStore, '', { deep: true });
  assert.ok(ck && ck.step >= 2 && ck.step < 6, `newest checkpoint: ${ck?.step}`);
  terminated = { id: oldId, step: ck.step };

  const out = await cli('resume', oldId);
  assert.equal(out.code, 0, out.stderr);
  const resumed = JSON.parse(out.stdout) as { workflowId: string; resumedFrom: string; checkpointStep: number };
  assert.equal(resumed.resumedFrom, oldId);
  assert.equal(resumed.checkpointStep, ck.step);
  assert.match(resumed.workflowId, /^resume-\d{8}-\d{4}-[0-9a-z]{6}$/);
  const h = env.client.workflow.getHandle(resumed.workflowId);
  const result = (await h.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 6);
  assert.deepEqual(result.resumedFrom, {
    runId: oldId,
    step: ck.step,
    checkpoint: `${baseOf(oldId)}/checkpoints/step-${String(ck.step).padStart(8, '0')}`,
  });
  const d = await h.describe();
  assert.equal(d.memo?.resumedFrom, oldId);
  const store = openBlobStore(result.base);
  // Metrics start at the checkpoint's step; no earlier step ran in the new run.
  const expected = Array.from({ length: 6 - ck.step }, (_, i) => ck.step + i);
  assert.deepEqual(await metricSteps(store), expected);
  const stepDirs = new Set((await store.list('steps/')).map((b) => Number(b.key.split('/')[1])));
  assert.ok(
    [...stepDirs].every((s) => s >= ck.step),
    `steps recomputed: ${[...stepDirs].sort()}`
  );
  // Data reused: the new run holds the old run's prepared rows byte for byte.
  for (const task of ['code', 'math'])
    assert.deepEqual(
      await store.get(runKeys.dataset(task, 'train')),
      await oldStore.get(runKeys.dataset(task, 'train'))
    );
  assert.deepEqual(await weightsOf(store, 6), reference);
  const checked = await assertHonestResume(honest(result.base, ck.step));
  t.diagnostic(JSON.stringify({ resumedAt: ck.step, ...checked.figures }));
});

test('resuming from a checkpoint taken exactly at a stage boundary runs the next stage (not zero steps)', async () => {
  const oldId = `resume-boundary-${Date.now()}`;
  const handle = await start(oldId, config(100));
  const oldStore = openBlobStore(baseOf(oldId));
  await waitFor(async () => (await oldStore.head('checkpoints/step-00000003/manifest.json')) !== null, 'step 3');
  await terminate(handle, oldStore, 'test: killed at the stage boundary');
  assert.deepEqual(
    (await listCheckpoints(oldStore, '')).map((c) => c.step),
    [3],
    'only the stage-end checkpoint exists'
  );
  const out = await cli('resume', oldId);
  assert.equal(out.code, 0, out.stderr);
  const { workflowId } = JSON.parse(out.stdout) as { workflowId: string };
  const result = (await env.client.workflow.getHandle(workflowId).result()) as ExperimentResult;
  assert.equal(result.steps, 6);
  // Only the second stage ran, and it ended with its stage-end evaluation.
  assert.deepEqual(
    result.evaluations.map((e) => [e.after, e.step]),
    [['math', 6]]
  );
  assert.deepEqual(await metricSteps(openBlobStore(result.base)), [3, 4, 5]);
  assert.deepEqual(await weightsOf(openBlobStore(result.base), 6), reference);
  await assertHonestResume(honest(result.base, 3));
});

test('resuming from a checkpoint at the plan’s very last step fails saying nothing is left (never a zero-step run)', async () => {
  // The reference run's newest checkpoint is step 6 = the end of the plan.
  const id = `resume-last-${Date.now()}`;
  const h = await start(id, config(2), { runId: referenceId, base: baseOf(referenceId) });
  await assert.rejects(h.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError);
    assert.match(String(err.cause?.message), /step 6, the end of the plan \(6 steps\): nothing left to train/);
    return true;
  });
  assert.deepEqual(await metricSteps(openBlobStore(baseOf(id))), []);
  // And the CLI does not resume a completed run at all.
  const out = await cli('resume', referenceId);
  assert.notEqual(out.code, 0);
  assert.match(out.stderr, /completed: nothing to resume/);
});

test('a run with no valid checkpoint cannot be resumed: the CLI and the workflow both say so', async () => {
  const oldId = `resume-none-${Date.now()}`;
  const handle = await start(oldId, config(100));
  const oldStore = openBlobStore(baseOf(oldId));
  await waitFor(async () => (await oldStore.head(runKeys.metrics(0))) !== null, 'step 0');
  await terminate(handle, oldStore, 'test: killed before any checkpoint');
  assert.deepEqual(await listCheckpoints(oldStore, ''), []);
  const out = await cli('resume', oldId);
  assert.notEqual(out.code, 0);
  assert.match(out.stderr, /has no valid checkpoint under .*: nothing to resume from/);
  const h = await start(`resume-none-direct-${Date.now()}`, config(100), { runId: oldId, base: baseOf(oldId) });
  await assert.rejects(h.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError);
    // The workflow fails with the resume activity's non-retryable failure (ActivityFailure → ApplicationFailure).
    assert.match(
      String((err.cause?.cause as Error | undefined)?.message),
      /has no valid checkpoint .*nothing to resume from/
    );
    return true;
  });
});

test('a run whose stage budget and learning rate were adjusted resumes with them, not with the config’s', async () => {
  const oldId = `resume-adjusted-${Date.now()}`;
  const handle = await start(oldId, config(1));
  // Before the first step: the code stage gets 2 steps instead of 3, and a new learning rate.
  const adjusted = await handle.executeUpdate(adjustUpdate, { args: [{ stageSteps: 2, learningRate: 0.0001 }] });
  assert.deepEqual(adjusted, { learningRate: 0.0001, stageSteps: 2, stage: 'code' });
  const oldStore = openBlobStore(baseOf(oldId));
  // Checkpoints every step; step 3 is the first step of the math stage, which now runs steps 2–4.
  await waitFor(async () => (await oldStore.head('checkpoints/step-00000003/manifest.json')) !== null, 'step 3');
  await terminate(handle, oldStore, 'test: killed after an adjustment');
  const ck = await newestValidCheckpoint(oldStore, '', { deep: true });
  assert.ok(ck && ck.step >= 3 && ck.step < 5, `newest checkpoint: ${ck?.step}`);
  assert.equal(ck.manifest.stageStartStep, 2, 'the checkpoint records the adjusted plan');

  const out = await cli('resume', oldId);
  assert.equal(out.code, 0, out.stderr);
  const { workflowId } = JSON.parse(out.stdout) as { workflowId: string };
  const result = (await env.client.workflow.getHandle(workflowId).result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 5, 'code 0–1, math 2–4: the adjusted plan, not the configured 6 steps');
  assert.deepEqual(
    result.evaluations.map((e) => [e.after, e.step]),
    [['math', 5]]
  );
  const store = openBlobStore(result.base);
  assert.deepEqual(
    await metricSteps(store),
    Array.from({ length: 5 - ck.step }, (_, i) => ck.step + i)
  );
  const lr = JSON.parse(new TextDecoder().decode(await store.get(runKeys.metrics(ck.step)))).learningRate;
  assert.equal(lr, 0.0001, 'the adjusted learning rate carries over');
});

/** The honest check each breakage must fail (others may fail too: a wrong start changes every later step). */
const CAUGHT_BY: Record<Breakage, HonestCheck> = {
  'reload-base': 'weights',
  'drop-adam': 'adam',
  'reset-cursor': 'nextBatch',
};

for (const breakage of BREAKAGES) {
  test(`negative control: a resume that does '${breakage}' fails the honest check '${CAUGHT_BY[breakage]}'`, async (t) => {
    assert.ok(terminated, 'needs the run terminated mid-stage above');
    await io.stop();
    io = await startActivityWorker(env, workers.queues.io, {
      ...activitiesFor('io'),
      resumeFromCheckpoint: brokenResumeFromCheckpoint(breakage),
    });
    try {
      const id = `resume-broken-${breakage}-${Date.now()}`;
      const h = await start(id, config(2), { runId: terminated.id, base: baseOf(terminated.id) });
      const result = (await h.result()) as ExperimentResult;
      assert.equal(result.status, 'completed', 'a broken resume runs to the end: only the checks can tell');
      const checked = await honestResumeChecks(honest(result.base, terminated.step));
      t.diagnostic(JSON.stringify({ breakage, failed: checked.failed }));
      assert.ok(checked.failed[CAUGHT_BY[breakage]], `'${CAUGHT_BY[breakage]}' passed on a '${breakage}' resume`);
    } finally {
      await io.stop();
      io = await startActivityWorker(env, workers.queues.io, activitiesFor('io'));
    }
  });
}

test('control: on the micro config (reward −1 everywhere) the final weights are the base’s and the gradient is 0', async (t) => {
  // Why the checks above need a config that learns: on this one every checkpoint equals the base, so "same final
  // weights as the uninterrupted run" holds for any resume, however broken.
  const cfg = tinyExperiment({ name: 'resume', storage, workers, stepsPerStage: 3, checkpointEvery: 2 });
  const id = `resume-flat-${Date.now()}`;
  const result = (await (await start(id, cfg)).result()) as ExperimentResult;
  const store = openBlobStore(result.base);
  const checked = await honestResumeChecks({
    reference: store,
    resumed: store,
    baseWeights: await baseWeightsOf(cfg),
    resumeStep: 2,
    finalStep: 6,
  });
  t.diagnostic(JSON.stringify(checked.failed));
  assert.ok(checked.failed.moved, 'the micro config moved its weights');
  assert.ok(checked.failed.gradient, 'the micro config had a gradient');
});
