/**
 * Runs mirrored into TensorBoard event files, read back with the `tensorboard` package's own event reader
 * (EventAccumulator, PyPI): every step's metrics and every evaluation's scores as scalars at their steps, equal to the
 * run's records. A folder that cannot be written fails no step: the run completes and counts the failures.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadRun } from '../../report/load.ts';
import type { EvalRecord } from '../../schemas/records/eval-record.ts';
import type { StepMetrics } from '../../schemas/records/step-metrics.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { runPython } from '../helpers/python.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import { trackerTestTools } from '../helpers/trackers.ts';
import { type RunningWorkers, startTestWorkers } from '../helpers/workers.ts';

let env: TemporalTestEnv;
let workers: RunningWorkers;
let python: string;
let dir: string;
let storage: string;

before(async () => {
  python = await trackerTestTools();
  env = await temporalTestEnv();
  workers = await startTestWorkers(env, ['main', 'gpu', 'cpu', 'io']);
  dir = await mkdtemp(path.join(os.tmpdir(), 'oz-tb-'));
  storage = `file://${dir}/runs`;
});
after(async () => {
  await workers?.stop();
  await env?.teardown();
});

async function runToEnd(id: string, logdir: string): Promise<ExperimentResult> {
  const config = {
    ...tinyExperiment({ name: 'tb', storage, workers, stepsPerStage: 2, tasks: ['math', 'qa'] }),
    tracking: { tensorboard: { dir: logdir } },
  };
  const handle = await env.client.workflow.start('experiment', {
    args: [{ config, runId: id }],
    taskQueue: workers.queues.main,
    workflowId: id,
  });
  return (await handle.result()) as ExperimentResult;
}

/** tag → [[step, value]…] as TensorBoard reads the folder. */
function readScalars(folder: string): Record<string, [number, number][]> {
  const script = `
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
acc = EventAccumulator(sys.argv[1], size_guidance={'scalars': 0})
acc.Reload()
print(json.dumps({t: [[e.step, e.value] for e in acc.Scalars(t)] for t in acc.Tags()['scalars']}))
`;
  return JSON.parse(runPython(python, script, [folder]));
}

const json = async <T>(base: string, key: string) =>
  JSON.parse(Buffer.from(await openBlobStore(base).get(key)).toString('utf8')) as T;

test("a run's step metrics and evaluations are TensorBoard scalars in <dir>/<run id>", async () => {
  const id = `tb-${Date.now()}`;
  const logdir = path.join(dir, 'logs');
  const result = await runToEnd(id, logdir);
  assert.equal(result.status, 'completed');
  const scalars = readScalars(path.join(logdir, id));
  const base = `${storage}/${id}`;

  assert.deepEqual(
    scalars.loss.map(([s]) => s),
    [0, 1, 2, 3]
  );
  for (const [step, value] of scalars.loss) {
    const m = await json<StepMetrics>(base, runKeys.metrics(step));
    assert.ok(
      Math.abs(value - m.loss) <= 1e-6 * Math.max(1, Math.abs(m.loss)),
      `loss at ${step}: ${value} vs ${m.loss}`
    );
  }
  assert.ok(scalars['task/math/rewardMean']?.length >= 1, Object.keys(scalars).join(', '));
  assert.deepEqual(
    scalars['eval/mean'].map(([s]) => s),
    [0, 2, 4]
  );
  const last = await json<EvalRecord>(base, runKeys.evaluation(4));
  const scores = Object.values(last.scores).filter((v): v is number => v !== null);
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  assert.ok(Math.abs(scalars['eval/mean'][2][1] - mean) < 1e-6, `${scalars['eval/mean'][2][1]} vs ${mean}`);
  assert.equal((await openBlobStore(base).list(runKeys.trackingFailuresPrefix())).length, 0);
});

test('a TensorBoard folder that cannot be written fails no step: the run completes and counts the failures', async () => {
  const id = `tb-broken-${Date.now()}`;
  const file = path.join(dir, 'not-a-folder');
  await writeFile(file, 'a file where the log folder should be');
  const result = await runToEnd(id, file);
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 4);
  const base = `${storage}/${id}`;
  const failures = (await openBlobStore(base).list(runKeys.trackingFailuresPrefix())).map((b) => b.key);
  assert.ok(failures.includes(runKeys.trackingFailure('tensorboard', 'step', 3)), failures.join(', '));
  assert.equal(failures.length, 7, `4 steps and 3 evaluations: ${failures.join(', ')}`);
  const m = await json<StepMetrics>(base, runKeys.metrics(3));
  assert.ok((m.trackingFailures ?? 0) >= 5, `failures so far at the last step: ${m.trackingFailures}`);
  const report = await loadRun(storage, id);
  assert.ok(
    report.problems.some((p) => p.startsWith('tensorboard: 7 logging calls failed')),
    report.problems.join('\n')
  );
});
