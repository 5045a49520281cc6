/**
 * Issue 19, fan-out: a step's rollout split into 1, 2 (`auto`, two GPU workers polling) and 3 shards ends with the
 * same records, held-out evaluations and byte-identical final weights, on a config whose weights really move, on wasm
 * and on the native backend (its sampler log-probs aside, which the update does not use); with two GPU worker
 * processes both take shards (the activity's worker identity in the Temporal history). A GPU worker killed with
 * SIGKILL in the middle of a shard costs that shard only: it runs again on the other worker, the shard that finished
 * is kept, and the run ends with the same weights. Each step records its shards' time split, and a worker holding the
 * version it samples does no download.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Client } from '@temporalio/client';
import { readJson } from '../../activities/run-context.ts';
import { ROOT } from '../../infra/paths.mjs';
import { tfjsNodeStatus } from '../../infra/tfjs-node/locate.mjs';
import type { EvalRecord } from '../../schemas/records/eval-record.ts';
import type { StepMetrics } from '../../schemas/records/step-metrics.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { completedActivities, finalWeightsSha, uniqueQueues, waitUntil } from '../helpers/durability.ts';
import { learningExperiment } from '../helpers/learning-config.ts';
import { spawnWorker, type WorkerProcess } from '../helpers/processes.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';

// wasm: a row's numerics do not depend on the other rows of a batch. The native backend's do (the sampler's log-probs
// move with the shard's row count), so the identity test runs on it too: the update rescores π_old itself.
const NATIVE_BUILT = tfjsNodeStatus().state === 'built';
const STEPS = 2;
let env: TemporalTestEnv;
const procs: WorkerProcess[] = [];

before(async () => {
  env = await temporalTestEnv();
});
after(async () => {
  for (const p of procs) await p.kill();
  await env?.teardown();
  await stopOwnS3();
});

/** The resume tests' learning config (rewards vary, so the weights move) at 8 prompts a step, sharded. */
function learningConfig(storage: string, queues: ReturnType<typeof uniqueQueues>, shards: number | 'auto') {
  const c = learningExperiment({
    name: 'fanout',
    storage,
    queues,
    stepsPerStage: STEPS / 2,
    checkpointEvery: 1,
  }) as Record<string, any>;
  c.rollout.promptsPerStep = 8;
  c.evaluation.avgK = 4;
  c.orchestration.rollout = { shards };
  return c;
}

interface RolloutStart {
  step: number;
  shard: number;
  count: number;
  attempt: number;
  /** Identity of the worker that started it. */
  worker: string;
}

/** Every start of a `type` activity in the run's stage workflows: which step and shard, which attempt, which worker. */
async function activityStarts(client: Client, runId: string, type = 'rollout'): Promise<RolloutStart[]> {
  const out: RolloutStart[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH "${runId}/stage-"` })) {
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const inputs = new Map<string, { step: number; shard?: { index: number; count: number } }>();
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s?.activityType?.name === type)
        inputs.set(String(e.eventId), JSON.parse(Buffer.from(s.input?.payloads?.[0]?.data ?? []).toString('utf8')));
      const st = e.activityTaskStartedEventAttributes;
      const input = st ? inputs.get(String(st.scheduledEventId)) : undefined;
      if (st && input)
        out.push({
          step: input.step,
          shard: input.shard?.index ?? 0,
          count: input.shard?.count ?? 1,
          attempt: st.attempt ?? 1,
          worker: st.identity ?? '',
        });
    }
  }
  return out.sort((a, b) => a.step - b.step || a.shard - b.shard || a.attempt - b.attempt);
}

type Backend = 'wasm' | 'tensorflow';

async function startWorkers(queues: ReturnType<typeof uniqueQueues>, backend: Backend): Promise<WorkerProcess[]> {
  const spawn = async (roles: ('main' | 'gpu' | 'cpu' | 'io')[]) => {
    const p = await spawnWorker({ roles, queues, address: env.address, env: { OMNI_ZERO_BACKEND: backend } });
    procs.push(p);
    return p;
  };
  const [, ...gpus] = await Promise.all([spawn(['main', 'cpu', 'io']), spawn(['gpu']), spawn(['gpu'])]);
  return gpus;
}

/** A rollout shard running now on one of `gpus` (its last worker's identity is `<pid>@<host>`), from its heartbeat. */
async function runningShard(
  client: Client,
  runId: string,
  gpus: WorkerProcess[]
): Promise<{ worker: WorkerProcess; step: number; shard: number } | null> {
  for (const id of [`${runId}/stage-0-code`, `${runId}/stage-1-math`]) {
    const d = await client.workflow
      .getHandle(id)
      .describe()
      .catch(() => null);
    for (const a of d?.raw.pendingActivities ?? []) {
      const data = a.heartbeatDetails?.payloads?.[0]?.data;
      const beat = data ? JSON.parse(Buffer.from(data).toString('utf8')) : null;
      const worker = gpus.find((p) => a.lastWorkerIdentity?.startsWith(`${p.pid}@`));
      if (a.activityType?.name === 'rollout' && worker && typeof beat?.shard === 'number')
        return { worker, step: beat.step, shard: beat.shard };
    }
  }
  return null;
}

/** A rollout record's text without the sampler's log-probs, which on the native backend move with the shard size. */
function withoutSamplerLogProbs(jsonl: string): string {
  return jsonl
    .split('\n')
    .map((line) => {
      if (!line) return line;
      const { oldLogProbs: _, ...rest } = JSON.parse(line);
      return JSON.stringify(rest);
    })
    .join('\n');
}

/**
 * Every step records its shards' time split; the worker that holds a version does no I/O for it, so a step's shards
 * download at most once (only the GPU worker that did not write the version lacks it, and not once it has fetched it,
 * even for a second shard).
 */
async function eachShardTimed(
  t: { diagnostic: (m: string) => void },
  stores: ReturnType<typeof openBlobStore>[],
  counts: number[]
): Promise<void> {
  for (const [i, store] of stores.entries()) {
    for (let step = 0; step < STEPS; step++) {
      const shards = (await readJson<StepMetrics>(store, runKeys.metrics(step)))?.timings.rolloutShards;
      assert.ok(shards, `step ${step} of the ${counts[i]}-shard run records its shards' times`);
      t.diagnostic(`${counts[i]} shards, step ${step}: ${JSON.stringify(shards)}`);
      assert.deepEqual(
        shards.map((x) => x.shard),
        Array.from({ length: counts[i] }, (_, k) => k)
      );
      const downloaded = shards.filter((x) => x.policy === 'downloaded');
      for (const x of shards.filter((y) => y.policy === 'held')) assert.equal(x.downloadMs + x.buildMs, 0);
      assert.ok(downloaded.length <= 1, `step ${step}: at most one worker lacked the version`);
    }
  }
}

/** The final weights of the wasm runs of the first test, which all agree (the reference for the kill test). */
let expectedSha: string | undefined;

async function sameResultWhateverTheShards(t: { diagnostic: (m: string) => void }, backend: Backend): Promise<string> {
  const bucket = await freshBucket('oz-fanout');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('fanout');
  await startWorkers(queues, backend);

  const runs: Record<string, { runId: string; base: string }> = {};
  // One after the other: with both GPU workers idle when a step starts, two shards land on two workers.
  for (const shards of [1, 'auto', 3] as const) {
    const runId = `fanout-${shards}-${Date.now()}`;
    const handle = await env.client.workflow.start('experiment', {
      args: [{ config: learningConfig(storage, queues, shards), runId }],
      taskQueue: queues.main,
      workflowId: runId,
    });
    const result = (await handle.result()) as ExperimentResult;
    assert.equal(result.status, 'completed', `shards ${shards}`);
    assert.equal(result.steps, STEPS);
    runs[shards] = { runId, base: result.base };
  }

  const expected = { 1: 1, auto: 2, 3: 3 } as const;
  for (const [shards, { runId }] of Object.entries(runs)) {
    const rollouts = await activityStarts(env.client, runId);
    const want = expected[shards as keyof typeof expected];
    assert.deepEqual(
      rollouts.map((r) => r.count),
      new Array(STEPS * want).fill(want),
      `shards ${shards}: ${want} rollout activities of ${want} shards per step`
    );
    if (shards === 'auto') {
      const workers = new Set(rollouts.map((r) => r.worker));
      assert.equal(workers.size, 2, `both GPU workers took shards: ${JSON.stringify(rollouts)}`);
    }
  }

  const stores = Object.values(runs).map((r) => openBlobStore(r.base));
  const rolloutMs = await Promise.all(
    stores.map(async (s) => {
      const steps = Array.from({ length: STEPS }, (_, step) => readJson<StepMetrics>(s, runKeys.metrics(step)));
      return (await Promise.all(steps)).map((m) => m?.timings.rolloutMs);
    })
  );
  t.diagnostic(`rollout ms per step with 1, 2, 3 shards: ${JSON.stringify(rolloutMs)}`);
  await eachShardTimed(
    t,
    stores,
    Object.keys(runs).map((k) => expected[k as keyof typeof expected])
  );
  const text = async (store: (typeof stores)[number], key: string) =>
    Buffer.from(await store.get(key)).toString('utf8');
  let samplerLogProbsDiffer = 0;
  for (let step = 0; step < STEPS; step++) {
    for (const key of [runKeys.rollouts(step), runKeys.rewards(step)]) {
      const [one, ...others] = await Promise.all(stores.map((s) => text(s, key)));
      for (const other of others) {
        if (backend === 'wasm') assert.equal(other, one, `${key} is the same whatever the shard count`);
        else {
          assert.equal(withoutSamplerLogProbs(other), withoutSamplerLogProbs(one), `${key}: same tokens and ids`);
          if (other !== one) samplerLogProbsDiffer++;
        }
      }
    }
  }
  t.diagnostic(`${backend}: rollout records whose sampler log-probs differ from 1 shard's: ${samplerLogProbsDiffer}`);
  // Held-out evaluation at each stage end, in 3 shards and merged in the last run: the same records.
  const evaluations = await activityStarts(env.client, runs[3].runId, 'evaluate');
  assert.deepEqual(
    evaluations.map((e) => [e.step, e.shard, e.count]),
    [1, 2].flatMap((step) => [0, 1, 2].map((shard) => [step, shard, 3]))
  );
  for (let step = 1; step <= STEPS; step++) {
    const records = await Promise.all(stores.map((s) => readJson<EvalRecord>(s, runKeys.evaluation(step))));
    const [one, ...others] = records.map((r) => {
      assert.ok(r, `an evaluation at step ${step}`);
      const { evaluationMs: _, ...rest } = r;
      return rest;
    });
    for (const other of others) assert.deepEqual(other, one, `the evaluation at step ${step} whatever the shard count`);
  }
  const shas = await Promise.all(stores.map((s) => finalWeightsSha(s, STEPS)));
  const base = createHash('sha256')
    .update(await readFile(path.join(ROOT, 'models', 'demo-base', 'model.safetensors')))
    .digest('hex');
  assert.notEqual(shas[0], base, 'the weights moved away from the base');
  t.diagnostic(`${backend}: final weights sha256 with 1, 2, 3 shards: ${JSON.stringify(shas)}`);
  assert.deepEqual(shas, [shas[0], shas[0], shas[0]], 'the same final weights with 1, 2 and 3 shards');
  for (const p of procs.splice(0)) await p.kill();
  return shas[0];
}

test('wasm: 1, 2 (auto) and 3 rollout shards: same records, same final weights, both GPU workers take shards', {
  timeout: 900_000,
}, async (t) => {
  expectedSha = await sameResultWhateverTheShards(t, 'wasm');
});

test('native TensorFlow: 1, 2 (auto) and 3 rollout shards: same tokens, same final weights', {
  timeout: 900_000,
  skip: NATIVE_BUILT ? false : `native backend not built: ${tfjsNodeStatus().reason}`,
}, async (t) => {
  await sameResultWhateverTheShards(t, 'tensorflow');
});

test('kill -9 of one of two GPU workers mid-step: only its shard runs again, the step completes once, same weights', {
  timeout: 600_000,
}, async (t) => {
  assert.ok(expectedSha, 'needs the final weights of the first test');
  const bucket = await freshBucket('oz-fanout-kill');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('fankill');
  const gpus = await startWorkers(queues, 'wasm');
  const runId = `fanout-kill-${Date.now()}`;
  const config = learningConfig(storage, queues, 2);
  // A short heartbeat timeout, so the dead worker's shard is noticed in seconds.
  config.orchestration.activityTimeouts.heartbeat = '5s';
  const handle = await env.client.workflow.start('experiment', {
    args: [{ config, runId }],
    taskQueue: queues.main,
    workflowId: runId,
  });
  // A shard running on one of the GPU workers and not finished: kill that worker.
  const store = openBlobStore(`${storage}/${runId}`);
  const target = await waitUntil(
    'a rollout shard running',
    async () => {
      const r = await runningShard(env.client, runId, gpus);
      return r && !(await store.head(runKeys.rolloutShardDone(r.step, r.shard, 2))) ? r : null;
    },
    300_000
  );
  await target.worker.kill('SIGKILL');
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, STEPS);
  const starts = await activityStarts(env.client, runId);
  t.diagnostic(JSON.stringify({ killed: { step: target.step, shard: target.shard }, starts }));
  const rerun = starts.filter((r) => r.attempt > 1);
  assert.deepEqual(
    rerun.map((r) => [r.step, r.shard]),
    [[target.step, target.shard]],
    'the killed shard, and only it, ran again'
  );
  assert.deepEqual(
    starts.filter((r) => r.step === target.step && r.shard !== target.shard).map((r) => r.attempt),
    [1],
    'the other shard of that step ran once and its result was kept'
  );
  assert.equal(await completedActivities(env.client, runId, 'update'), STEPS, 'each step updated once');
  assert.equal(await finalWeightsSha(store, STEPS), expectedSha, 'the same final weights as the runs left alone');
});
