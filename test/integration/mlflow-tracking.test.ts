/**
 * Runs mirrored into a real MLflow tracking server (`mlflow server` from PyPI, SQLite backend): one MLflow run per
 * run, named by the run id, with the flattened config as params, every step's and evaluation's metrics at its global
 * step, and the kept checkpoints' URIs as tags, all read back through MLflow's REST API. A server that never answers
 * fails no step: the run completes and its failures are counted in the blob store and the step metrics.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TRACKER_PAUSE_MS } from '../../activities/tracking.ts';
import { writeReport } from '../../cli/commands/report.ts';
import { progressLine } from '../../cli/progress-view.ts';
import type { EvalRecord } from '../../schemas/records/eval-record.ts';
import type { StepMetrics } from '../../schemas/records/step-metrics.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import { MlflowClient } from '../../tracking/mlflow-client.ts';
import { openMlflowRun, RUN_TAG } from '../../tracking/mlflow-run.ts';
import { REPORT_TAG } from '../../tracking/publish-report.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import type { ExperimentProgress } from '../../workflows/progress.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import { type MlflowServer, startMlflowServer } from '../helpers/trackers.ts';
import { type RunningWorkers, startTestWorkers } from '../helpers/workers.ts';

let env: TemporalTestEnv;
let workers: RunningWorkers;
let mlflow: MlflowServer;
let storage: string;

before(async () => {
  mlflow = await startMlflowServer();
  env = await temporalTestEnv();
  workers = await startTestWorkers(env, ['main', 'gpu', 'cpu', 'io']);
  storage = `file://${await mkdtemp(path.join(os.tmpdir(), 'oz-mlflow-runs-'))}`;
});
after(async () => {
  await workers?.stop();
  await env?.teardown();
  await mlflow?.stop();
});

/** 2 single-task stages × 2 steps, a checkpoint every 2 steps, the given tracking section. */
function config(name: string, tracking: Record<string, unknown>) {
  return { ...tinyExperiment({ name, storage, workers, stepsPerStage: 2, tasks: ['math', 'qa'] }), tracking };
}

function start(id: string, cfg: Record<string, unknown>, resumeFrom?: { runId: string; base: string }) {
  return env.client.workflow.start('experiment', {
    args: [{ config: cfg, runId: id, ...(resumeFrom ? { resumeFrom } : {}) }],
    taskQueue: workers.queues.main,
    workflowId: id,
  });
}

async function runToEnd(id: string, cfg: Record<string, unknown>): Promise<ExperimentResult> {
  return (await (await start(id, cfg)).result()) as ExperimentResult;
}

test('a run logs params, step and evaluation metrics, checkpoint URIs and the report to one MLflow run named by its id', async () => {
  const id = `mlflow-${Date.now()}`;
  const result = await runToEnd(id, config('tracked', { mlflow: { uri: mlflow.uri, experiment: 'oz-test' } }));
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 4);

  const client = new MlflowClient({ uri: mlflow.uri, timeoutMs: 10_000 });
  const runs = await client.runsTagged(await client.experimentId('oz-test'), RUN_TAG, id);
  assert.equal(runs.length, 1, 'exactly one MLflow run for the run');
  const run = await client.getRun(runs[0].info.run_id);
  assert.equal(run.info.run_name, id);
  assert.equal(run.info.status, 'FINISHED');

  const params = Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
  assert.equal(params.name, 'tracked');
  assert.equal(params.seed, '3');
  assert.equal(params['rollout.groupSize'], '2');
  assert.equal(params['tasks.math.kind'], 'math');
  assert.equal(params['schedule.stages.1.name'], 'qa');
  assert.equal(params['tracking.mlflow.uri'], mlflow.uri);

  const loss = await client.metricHistory(run.info.run_id, 'loss');
  assert.deepEqual(
    loss.map((m) => m.step).sort((a, b) => a - b),
    [0, 1, 2, 3]
  );
  const store = openBlobStore(`${storage}/${id}`);
  const step3 = JSON.parse(Buffer.from(await store.get(runKeys.metrics(3))).toString('utf8')) as StepMetrics;
  assert.equal(loss.find((m) => m.step === 3)?.value, step3.loss);
  assert.equal(step3.trackingFailures, undefined);
  const mathReward = await client.metricHistory(run.info.run_id, 'task/math/rewardMean');
  assert.ok(mathReward.length >= 1, 'per-task metrics logged');

  const evalMean = await client.metricHistory(run.info.run_id, 'eval/mean');
  assert.ok(
    evalMean.some((m) => m.step === 0),
    `base evaluation at step 0: ${JSON.stringify(evalMean)}`
  );
  assert.ok(
    evalMean.some((m) => m.step === 4),
    `final stage-end evaluation at step 4: ${JSON.stringify(evalMean)}`
  );

  // pass@k reaches the real server under its name (MLflow refuses some characters) with the record's value.
  const base = JSON.parse(Buffer.from(await store.get(runKeys.evaluation(0))).toString('utf8')) as EvalRecord;
  const pass = base.passAtK?.math;
  assert.ok(pass && pass.score !== null, `the base record holds math's pass@k: ${JSON.stringify(base.passAtK)}`);
  const passHistory = await client.metricHistory(run.info.run_id, `eval/math/pass_at_${pass.k}`);
  assert.equal(passHistory.find((m) => m.step === 0)?.value, pass.score);

  const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
  assert.equal(tags[RUN_TAG], id);
  assert.match(tags['omni-zero.config-hash'], /^[0-9a-f]{64}$/);
  assert.equal(tags['checkpoint/step-4'], store.uriOf('checkpoints/step-00000004'));
  assert.equal(tags['checkpoint/latest'], tags['checkpoint/step-4']);
  assert.equal((await store.list(runKeys.trackingFailuresPrefix())).length, 0);

  const report = await writeReport(id, { storage, out: path.join(os.tmpdir(), `oz-mlflow-report-${id}.html`) });
  assert.equal(report.mlflowError, undefined);
  assert.match(report.mlflow ?? '', /^mlflow-artifacts:.*\/report\.html$/);
  assert.equal(await client.downloadArtifact(report.mlflow!), await readFile(report.out, 'utf8'));
  const reported = await client.getRun(run.info.run_id);
  assert.equal(reported.data.tags?.find((t) => t.key === REPORT_TAG)?.value, report.mlflow);
  assert.equal(reported.info.status, 'FINISHED', 'reporting does not reopen the run');
});

test('opening the MLflow run is idempotent: concurrent and repeated opens find one run, a resume continues it', async () => {
  const client = new MlflowClient({ uri: mlflow.uri, timeoutMs: 10_000 });
  const target = {
    experiment: 'oz-open',
    lineage: 'run-a',
    runId: 'run-a',
    params: [{ key: 'p', value: '1' }],
    tags: [],
  };
  const ids = await Promise.all([openMlflowRun(client, target), openMlflowRun(client, target)]);
  assert.equal(ids[0], ids[1]);
  await client.setStatus(ids[0], 'FINISHED');
  const resumed = await openMlflowRun(client, { ...target, runId: 'run-b' });
  assert.equal(resumed, ids[0]);
  const run = await client.getRun(resumed);
  assert.equal(run.info.status, 'RUNNING');
  assert.equal(run.data.tags?.find((t) => t.key === 'omni-zero.latest-run')?.value, 'run-b');
  assert.equal((await client.runsTagged(await client.experimentId('oz-open'), RUN_TAG, 'run-a')).length, 1);
});

test('an MLflow server that never answers fails no step: the run completes and counts its logging failures', async () => {
  // Accepts connections and says nothing: each request waits for its timeout, then the tracker pauses.
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const down = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const id = `mlflow-down-${Date.now()}`;
  const started = Date.now();
  try {
    const result = await runToEnd(id, config('untracked', { mlflow: { uri: down, timeout: '1s' } }));
    assert.equal(result.status, 'completed');
    assert.equal(result.steps, 4);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
  const store = openBlobStore(`${storage}/${id}`);
  const failures = (await store.list(runKeys.trackingFailuresPrefix())).map((b) => b.key).sort();
  // Steps 0–3, the base and stage-end evaluations (steps 0, 2, 4) and the checkpoints (2, 4) each failed once.
  assert.equal(failures.length, 9, failures.join(', '));
  assert.ok(failures.includes(runKeys.trackingFailure('mlflow', 'step', 3)), failures.join(', '));
  const errors = await Promise.all(
    failures.map(async (k) => (JSON.parse(Buffer.from(await store.get(k)).toString('utf8')) as { error: string }).error)
  );
  const timedOut = errors.filter((e) => e.startsWith('MLflow ') && e.endsWith('no answer within 1000 ms')).length;
  assert.ok(timedOut >= 1, errors.join('\n'));
  assert.equal(errors.filter((e) => e.startsWith('skipped: ')).length, 9 - timedOut, errors.join('\n'));
  // One timeout per pause, not one per record: the run took far less than 9 timeouts longer.
  assert.ok(timedOut <= 1 + Math.floor((Date.now() - started) / TRACKER_PAUSE_MS), `${timedOut} timeouts`);
  const last = JSON.parse(Buffer.from(await store.get(runKeys.metrics(3))).toString('utf8')) as StepMetrics;
  assert.ok(
    last.trackingFailures !== undefined && last.trackingFailures >= 4,
    `the last step counts the run's failures so far: ${last.trackingFailures}`
  );
  // `status` and `watch` show the count: the progress query carries it.
  const progress = await env.client.workflow.getHandle(id).query<ExperimentProgress>('progress');
  assert.equal(progress.lastMetrics?.trackingFailures, last.trackingFailures);
  assert.match(progressLine(id, progress), new RegExp(`tracker failures ${last.trackingFailures}`));
});

test('a run resumed after it was killed continues the MLflow run of the run it resumed', async () => {
  const oldId = `mlflow-killed-${Date.now()}`;
  const cfg = config('resumed', { mlflow: { uri: mlflow.uri } });
  const handle = await start(oldId, cfg);
  const oldStore = openBlobStore(`${storage}/${oldId}`);
  const until = Date.now() + 120_000;
  while (!(await oldStore.head('checkpoints/step-00000002/manifest.json'))) {
    assert.ok(Date.now() < until, 'no checkpoint at step 2 within 120 s');
    await new Promise((r) => setTimeout(r, 25));
  }
  await handle.terminate('test: killed after the first stage');

  const newId = `mlflow-resume-${Date.now()}`;
  const result = (await (
    await start(newId, cfg, { runId: oldId, base: `${storage}/${oldId}` })
  ).result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.resumedFrom?.runId, oldId);

  const client = new MlflowClient({ uri: mlflow.uri, timeoutMs: 10_000 });
  const experimentId = await client.experimentId('resumed');
  assert.equal((await client.runsTagged(experimentId, RUN_TAG, newId)).length, 0, 'no second MLflow run');
  const [tracked] = await client.runsTagged(experimentId, RUN_TAG, oldId);
  const run = await client.getRun(tracked.info.run_id);
  assert.equal(run.info.run_name, oldId);
  assert.equal(run.info.status, 'FINISHED');
  assert.equal(run.data.tags?.find((t) => t.key === 'omni-zero.latest-run')?.value, newId);
  const steps = new Set((await client.metricHistory(run.info.run_id, 'loss')).map((m) => m.step));
  assert.deepEqual(
    [...steps].sort((a, b) => a - b),
    [0, 1, 2, 3],
    "both runs' steps on one curve"
  );
});
