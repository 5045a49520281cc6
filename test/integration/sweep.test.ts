/**
 * A sweep is as durable as a run (issue 17): two variants run as child experiments; the worker processes holding the
 * sweep, the experiments and the policy are killed with SIGKILL while both children train, new ones start, and the
 * sweep completes with each child started once, every step of each done once, and one comparison in the store.
 * The model-merging baseline: two single-task variants train, a `merge` variant TIES-merges their best checkpoints in
 * a child `mergeRun`, which evaluates the base and the merged model into the layout every run has, and the comparison
 * shows it as a row like the others.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { MergeCheckpointsOutput } from '../../activities/types.ts';
import { createExperimentSchedule, scheduledSweep, triggerSchedule } from '../../cli/schedules.ts';
import { readSweepFile } from '../../cli/sweep-file.ts';
import { initBackend } from '../../engine/backend.ts';
import { loadCheckpoint } from '../../engine/checkpoint/checkpoint.ts';
import { disposeParams } from '../../engine/model/init.ts';
import { loadRun } from '../../report/load.ts';
import { configHash } from '../../schemas/config-hash.ts';
import { parseSweep } from '../../schemas/sweep.ts';
import { bestCheckpoint, checkpointPrefix, downloadCheckpoint } from '../../storage/checkpoints.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import { paramValues } from '../../training/merge-policy.ts';
import { tiesMerge } from '../../training/ties-merge.ts';
import type { SweepResult } from '../../workflows/sweep.ts';
import { assertRunIntact, crashExperiment, uniqueQueues, waitUntil } from '../helpers/durability.ts';
import { spawnRunWorkers, type WorkerProcess } from '../helpers/processes.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';
import { executeSweep } from '../helpers/sweep-run.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';

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

const startWorkers = (queues: ReturnType<typeof uniqueQueues>) => spawnRunWorkers(env.address, queues, procs);

test('kill -9 of every worker mid-sweep: both variants complete once, each step once, one comparison', {
  timeout: 300_000,
}, async (t) => {
  const bucket = await freshBucket('oz-sweep');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('sweep');
  const workers = () => startWorkers(queues);
  const sweepConfig = {
    name: 'sweep-drill',
    experiment: crashExperiment({ name: 'sweep-drill', storage, queues }),
    variants: [{ name: 'base' }, { name: 'half-lr', overrides: { grpo: { learningRate: 5e-4 } } }],
    concurrency: 2,
  };
  const parsed = parseSweep(sweepConfig);
  assert.ok(parsed.ok);
  const first = await workers();
  const sweepId = `sweep-${Date.now()}`;
  const handle = await env.client.workflow.start('sweep', {
    args: [{ sweep: sweepConfig, sweepId }],
    taskQueue: queues.main,
    workflowId: sweepId,
  });

  // Both children past their first step: then every process goes at once.
  const childIds = [`${sweepId}-base-s3`, `${sweepId}-half-lr-s3`];
  const stores = childIds.map((id) => openBlobStore(`${storage}/${id}`));
  await waitUntil(
    'step 1 of both children',
    async () => (await Promise.all(stores.map((s) => s.head(runKeys.metrics(1))))).every(Boolean),
    120_000
  );
  const progressBefore = await handle.query('progress');
  await Promise.all(first.map((p) => p.kill('SIGKILL')));
  await workers();

  const result = (await handle.result()) as SweepResult;
  assert.equal(result.status, 'completed');
  assert.deepEqual(
    result.runs.map((r) => [r.runId, r.status]),
    childIds.map((id) => [id, 'completed'])
  );
  for (const [i, id] of childIds.entries()) {
    // Started once: one execution of the child id (the experiment does not continue-as-new at this length).
    const executions = [];
    for await (const wf of env.client.workflow.list({ query: `WorkflowId = "${id}"` })) executions.push(wf.runId);
    assert.equal(executions.length, 1, `${id} executions: ${executions}`);
    await assertRunIntact(env.client, id, stores[i], 6);
    // The child ran its variant's config: the override reached it.
    const data = await loadRun(storage, id);
    assert.equal(data.header.configHash, configHash(parsed.runs[i].config));
  }
  assert.notEqual(configHash(parsed.runs[0].config), configHash(parsed.runs[1].config));

  const written = JSON.parse(
    Buffer.from(await openBlobStore(`${storage}/sweeps/${sweepId}`).get('comparison.json')).toString('utf8')
  );
  assert.deepEqual(written.comparison, result.comparison);
  assert.deepEqual(
    result.comparison.variants.map((v) => [v.variant, v.runIds]),
    [
      ['base', [childIds[0]]],
      ['half-lr', [childIds[1]]],
    ]
  );
  for (const v of result.comparison.variants) {
    assert.deepEqual(Object.keys(v.final), ['code', 'math']);
    assert.ok((v.wallMs.mean ?? 0) > 0);
  }
  t.diagnostic(JSON.stringify({ progressBefore, wallMs: result.runs.map((r) => r.wallMs) }));
});

test('a sweep file as a Schedule: a triggered sweep prefixes its runs with its own scheduled id and completes', {
  timeout: 240_000,
}, async () => {
  const bucket = await freshBucket('oz-sweep-sched');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('sweep-sched');
  await startWorkers(queues);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-sweep-sched-'));
  const experiment = {
    ...crashExperiment({ name: 'sched-base', storage, queues }),
    schedule: { kind: 'curriculum', stepsPerStage: 1 },
  };
  writeFileSync(path.join(dir, 'base.json'), JSON.stringify(experiment));
  const file = path.join(dir, 'sweep.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'sched',
      experiment: './base.json',
      variants: [{ name: 'a' }, { name: 'b', overrides: { seed: 4 } }],
    })
  );
  const read = await readSweepFile(file);
  assert.ok(read.ok, read.ok ? '' : read.problems.join('\n'));
  const scheduleId = `sweep-sched-${Date.now()}`;
  const { handle } = await createExperimentSchedule(env.client, scheduledSweep(read), {
    file,
    scheduleId,
    every: '1d',
    paused: true,
  });
  try {
    const { started } = await triggerSchedule(env.client, scheduleId, { waitMs: 15_000 });
    assert.ok(started?.startsWith(`${scheduleId}-`), `started ${started}`);
    const result = (await env.client.workflow.getHandle(started!).result()) as SweepResult;
    assert.equal(result.sweepId, started);
    assert.deepEqual(
      result.runs.map((r) => [r.runId, r.status]),
      [
        [`${started}-a-s3`, 'completed'],
        [`${started}-b-s4`, 'completed'],
      ]
    );
    assert.equal(result.comparison.variants.length, 2);
    assert.ok(await openBlobStore(`${storage}/sweeps/${started}`).head('comparison.json'));
  } finally {
    await handle.delete();
  }
});

const singleTask = (task: string) => ({
  name: `${task}-only`,
  overrides: { schedule: { kind: 'curriculum', stepsPerStage: 2, stages: [{ name: task, tasks: [{ task }] }] } },
});

test('a sweep with two single-task variants and their TIES merge compares three rows', {
  timeout: 300_000,
}, async (t) => {
  const bucket = await freshBucket('oz-sweep-merge');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('sweep-merge');
  await startWorkers(queues);
  const sweepConfig = {
    name: 'merge-drill',
    experiment: {
      ...tinyExperiment({
        name: 'merge-drill',
        storage,
        workers: { queues, stop: async () => {} },
        tasks: ['qa', 'writing'],
      }),
      // The shipped demo base writes the answer format in its own prompt, so a group's writing scores differ and GRPO
      // moves the weights (from fresh micro weights every sample scores alike: no gradient, nothing to merge).
      model: { checkpoint: 'file://models/demo-base', tokenizer: { type: 'byte', tagTokens: true } },
      template: { style: 'ot', systemPrompt: 'Think inside <think></think>, then answer inside <answer></answer>.' },
      window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 64 }] },
      rollout: { groupSize: 8, promptsPerStep: 2, temperature: 1 },
      grpo: { learningRate: 1e-3 },
    },
    variants: [singleTask('qa'), singleTask('writing'), { name: 'merged', merge: { of: ['qa-only', 'writing-only'] } }],
    concurrency: 2,
  };
  const parsed = parseSweep(sweepConfig);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
  const { result, ids } = await executeSweep(env, queues, sweepConfig, 3);
  const [qa, writing, merged] = ids.map((id) => openBlobStore(`${storage}/${id}`));

  // The merge took each source's best checkpoint (the stage end, which carries the evaluation) at weights density 0.2.
  const record = JSON.parse(Buffer.from(await merged.get(runKeys.merge())).toString('utf8')) as MergeCheckpointsOutput;
  for (const [i, source] of [qa, writing].entries()) {
    const best = await bestCheckpoint(source, '', { metric: 'eval/mean', mode: 'max' });
    assert.ok(best);
    assert.deepEqual([record.merged[i].runId, record.merged[i].step], [ids[i], best.step]);
  }
  assert.deepEqual([record.density, record.lambda], [0.2, 1]);
  // The merged weights are TIES of the sources' trained best checkpoints against the base the merged run evaluated.
  const weights = async (store: typeof merged, prefix: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-sweep-merge-'));
    try {
      await downloadCheckpoint(store, prefix, dir);
      const ck = await loadCheckpoint(dir, { optimizer: false, tokenizer: false });
      const values = paramValues(ck.params);
      disposeParams(ck.params);
      return values;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  await initBackend();
  const [baseW, qaW, writingW, mergedW] = await Promise.all([
    weights(merged, checkpointPrefix(runKeys.policyRoot(), 0)),
    weights(qa, checkpointPrefix('', record.merged[0].step)),
    weights(writing, checkpointPrefix('', record.merged[1].step)),
    weights(merged, 'checkpoints/step-00000000'),
  ]);
  const expected = tiesMerge(baseW, [qaW, writingW]);
  for (const [name, values] of expected) assert.deepEqual(mergedW.get(name), values, name);
  const moved = (w: Map<string, Float32Array>) =>
    [...w].reduce((n, [name, v]) => n + v.filter((x, i) => x !== baseW.get(name)![i]).length, 0);
  assert.ok(moved(mergedW) > 0, `the merge moved no weight (sources moved ${moved(qaW)} and ${moved(writingW)})`);

  // Evaluated like a run: base at step 0 (the same base as the sources: same scores on the same held-out rows), the
  // merged model as the end of its one stage; the report reads it without problems.
  const data = await loadRun(storage, ids[2]);
  assert.deepEqual(data.problems, []);
  assert.equal(data.header.status, 'merged model (no training steps)');
  assert.deepEqual(
    data.evaluations.map((e) => [e.step, e.stage, e.reason]),
    [
      [0, 'base', 'base'],
      [1, 'merge', 'final'],
    ]
  );
  const qaRun = await loadRun(storage, ids[0]);
  assert.deepEqual(data.evaluations[0].scores, qaRun.evaluations.find((e) => e.reason === 'base')?.scores);

  const rows = result.comparison.variants;
  assert.deepEqual(
    rows.map((v) => [v.variant, v.runIds]),
    ['qa-only', 'writing-only', 'merged'].map((v, i) => [v, [ids[i]]])
  );
  const mergedRow = rows[2];
  for (const task of ['qa', 'writing']) {
    assert.equal(mergedRow.final[task].mean, data.evaluations[1].scores[task]);
    assert.equal(mergedRow.base[task].mean, data.evaluations[0].scores[task]);
  }
  // Its wall time includes its sources' training.
  const wall = (i: number) => result.runs[i].wallMs ?? 0;
  assert.equal(mergedRow.wallMs.mean, wall(0) + wall(1) + wall(2));
  t.diagnostic(JSON.stringify({ wallMs: result.runs.map((r) => r.wallMs), merged: mergedRow.final }));
});
