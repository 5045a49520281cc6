/**
 * A sweep is as durable as a run (issue 17): two variants run as child experiments; the worker processes holding the
 * sweep, the experiments and the policy are killed with SIGKILL while both children train, new ones start, and the
 * sweep completes with each child started once, every step of each done once, and one comparison in the store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createExperimentSchedule, scheduledSweep, triggerSchedule } from '../../cli/schedules.ts';
import { readSweepFile } from '../../cli/sweep-file.ts';
import { loadRun } from '../../report/load.ts';
import { configHash } from '../../schemas/config-hash.ts';
import { parseSweep } from '../../schemas/sweep.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { SweepResult } from '../../workflows/sweep.ts';
import { assertRunIntact, crashExperiment, uniqueQueues, waitUntil } from '../helpers/durability.ts';
import { spawnWorker, type WorkerProcess } from '../helpers/processes.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';

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

test('kill -9 of every worker mid-sweep: both variants complete once, each step once, one comparison', {
  timeout: 300_000,
}, async (t) => {
  const bucket = await freshBucket('oz-sweep');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('sweep');
  const workers = async () => {
    const started = await Promise.all([
      spawnWorker({ roles: ['main', 'cpu', 'io'], queues, address: env.address }),
      spawnWorker({ roles: ['gpu'], queues, address: env.address }),
    ]);
    procs.push(...started);
    return started;
  };
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
  procs.push(
    ...(await Promise.all([
      spawnWorker({ roles: ['main', 'cpu', 'io'], queues, address: env.address }),
      spawnWorker({ roles: ['gpu'], queues, address: env.address }),
    ]))
  );
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
