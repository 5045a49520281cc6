/**
 * Issue 19, dynamic sampling (DAPO) on the real dev server and S3 server: on a task where many prompt groups get
 * rewards that are all equal, a step draws more than one batch, the update trains only on groups whose rewards differ,
 * and the run ends with the same final weights (which differ from the base) with 1 and 2 rollout shards. A GPU worker
 * killed with SIGKILL in the middle of an extra draw's rollout costs a retry of it, and the run ends with the same
 * weights as when left alone.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readJson, readJsonl } from '../../activities/run-context.ts';
import { ROOT } from '../../infra/paths.mjs';
import type { RewardRecord } from '../../schemas/records/reward-record.ts';
import type { RolloutRecord } from '../../schemas/records/rollout-record.ts';
import type { StepMetrics } from '../../schemas/records/step-metrics.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import {
  activityOutcomes,
  completedActivities,
  finalWeightsSha,
  uniqueQueues,
  waitUntil,
} from '../helpers/durability.ts';
import { learningExperiment } from '../helpers/learning-config.ts';
import { spawnWorker, type WorkerProcess } from '../helpers/processes.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';

// wasm: a row's numerics do not depend on the other rows of a batch, so shards sample what the whole rollout does.
const BACKEND = { OMNI_ZERO_BACKEND: 'wasm' };
const STEPS = 2;
const PROMPTS = 4;
const MAX_BATCHES = 5;
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

/**
 * The resume tests' learning config with groups of 2 responses in a 24-token window: the base's two answers to a
 * prompt often score the same, so many groups carry no signal and a step has to draw again.
 */
function dapoConfig(storage: string, queues: ReturnType<typeof uniqueQueues>, shards: number) {
  const c = learningExperiment({
    name: 'dapo',
    storage,
    queues,
    stepsPerStage: STEPS / 2,
    checkpointEvery: 1,
    heartbeat: '5s',
  }) as Record<string, any>;
  c.rollout = { ...c.rollout, promptsPerStep: PROMPTS, groupSize: 2 };
  c.window.steps[0].maxTokens = 24;
  c.evaluation.atStageEnd = false;
  c.grpo.dynamicSampling = { enabled: true, maxBatches: MAX_BATCHES };
  c.orchestration.rollout = { shards };
  return c;
}

async function spawn(queues: ReturnType<typeof uniqueQueues>, roles: ('main' | 'gpu' | 'cpu' | 'io')[]) {
  const p = await spawnWorker({ roles, queues, address: env.address, env: BACKEND });
  procs.push(p);
  return p;
}

async function runToEnd(queues: ReturnType<typeof uniqueQueues>, storage: string, shards: number, runId: string) {
  const handle = await env.client.workflow.start('experiment', {
    args: [{ config: dapoConfig(storage, queues, shards), runId }],
    taskQueue: queues.main,
    workflowId: runId,
  });
  return handle;
}

/** Every group of a step's draws with its defined rewards, read from the records (draw 0 = the step's own batch). */
async function groupsOf(store: BlobStore, step: number, draws: number): Promise<Map<string, number[]>> {
  const groups = new Map<string, number[]>();
  for (let d = 0; d < draws; d++) {
    const rollouts = await readJsonl<RolloutRecord>(store, runKeys.rollouts(step, d));
    const rewards = new Map((await readJsonl<RewardRecord>(store, runKeys.rewards(step, d))).map((r) => [r.id, r]));
    assert.equal(rollouts.length, PROMPTS * 2, `step ${step} draw ${d}: ${PROMPTS} prompts × 2 responses`);
    for (const r of rollouts) {
      const total = rewards.get(r.id)?.total ?? null;
      const list = groups.get(r.groupId) ?? [];
      if (total !== null) list.push(total);
      groups.set(r.groupId, list);
    }
  }
  return groups;
}

let expectedSha: string | undefined;

test('dynamic sampling: more than one batch drawn, only mixed groups kept, same weights with 1 and 2 shards', {
  timeout: 600_000,
}, async (t) => {
  const bucket = await freshBucket('oz-dapo');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('dapo');
  await Promise.all([spawn(queues, ['main', 'cpu', 'io']), spawn(queues, ['gpu']), spawn(queues, ['gpu'])]);

  const shas: string[] = [];
  const stores: BlobStore[] = [];
  for (const shards of [1, 2]) {
    const started = Date.now();
    const handle = await runToEnd(queues, storage, shards, `dapo-${shards}-${Date.now()}`);
    const result = (await handle.result()) as ExperimentResult;
    assert.equal(result.status, 'completed', `shards ${shards}`);
    assert.equal(result.steps, STEPS);
    const store = openBlobStore(result.base);
    stores.push(store);
    shas.push(await finalWeightsSha(store, STEPS));
    t.diagnostic(`${shards} shard(s): ${Math.round((Date.now() - started) / 1000)} s`);
  }

  const [store] = stores;
  let extraDraws = 0;
  const outcomes = new Set<string>();
  for (let step = 0; step < STEPS; step++) {
    const m = await readJson<StepMetrics>(store, runKeys.metrics(step));
    assert.ok(m?.dynamicSampling, `step ${step} records its dynamic sampling`);
    const ds = m.dynamicSampling;
    t.diagnostic(`step ${step}: ${JSON.stringify(ds)}`);
    const groups = await groupsOf(store, step, ds.draws);
    const mixed = [...groups.values()].filter((r) => new Set(r).size >= 2).length;
    assert.equal(ds.groupsDrawn, groups.size, 'every group of every draw is counted as drawn');
    assert.equal(ds.groupsDrawn, ds.draws * PROMPTS);
    assert.equal(ds.groupsKept, mixed, 'kept = the groups whose rewards differ, and only those');
    assert.equal(ds.groupsTrained, Math.min(mixed, PROMPTS));
    // It stopped drawing as soon as it had its batch, or at the bound.
    assert.ok(ds.draws === MAX_BATCHES || ds.groupsKept >= PROMPTS, JSON.stringify(ds));
    // No draw past the last recorded one.
    assert.equal(await store.head(runKeys.phaseDone(step, 'sample', ds.draws)), null);
    extraDraws += ds.draws - 1;
    outcomes.add(ds.groupsTrained === PROMPTS ? 'filled' : 'bound reached');
    // Each extra draw's records are the same whatever the shard count.
    for (let d = 1; d < ds.draws; d++)
      for (const key of [runKeys.rollouts(step, d), runKeys.rewards(step, d)]) {
        const [one, two] = await Promise.all(stores.map(async (s) => Buffer.from(await s.get(key)).toString('utf8')));
        assert.equal(two, one, `${key} is the same with 1 and 2 shards`);
      }
  }
  assert.ok(extraDraws > 0, 'some step drew more than its own batch');
  // This seed has both: a code step whose groups all agree (5 draws, trains on none) and a math step that fills up
  // before the bound (its 4th draw).
  assert.deepEqual([...outcomes].sort(), ['bound reached', 'filled']);

  const base = createHash('sha256')
    .update(await readFile(path.join(ROOT, 'models', 'demo-base', 'model.safetensors')))
    .digest('hex');
  assert.notEqual(shas[0], base, 'the weights moved away from the base');
  assert.equal(shas[1], shas[0], 'the same final weights with 1 and 2 shards');
  expectedSha = shas[0];
});

test('kill -9 of the GPU worker during an extra draw: the draw runs again and the run ends with the same weights', {
  timeout: 600_000,
}, async (t) => {
  assert.ok(expectedSha, 'needs the final weights of the first test');
  const bucket = await freshBucket('oz-dapo-kill');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('dapokill');
  const [, gpu] = await Promise.all([spawn(queues, ['main', 'cpu', 'io']), spawn(queues, ['gpu'])]);
  const runId = `dapo-kill-${Date.now()}`;
  const handle = await runToEnd(queues, storage, 1, runId);
  // The moment step 0's first extra draw has its prompts, its rollout is scheduled or running: kill the GPU worker.
  const store = openBlobStore(`${storage}/${runId}`);
  await waitUntil('the first extra draw sampled', () => store.head(runKeys.phaseDone(0, 'sample', 1)), 300_000);
  await gpu.kill('SIGKILL');
  const rolledBefore = await store.head(runKeys.phaseDone(0, 'rollout', 1));
  assert.equal(rolledBefore, null, "the killed worker had not finished the draw's rollout");
  await spawn(queues, ['gpu']);
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, STEPS);
  const rollouts = await activityOutcomes(env.client, runId, 'rollout');
  t.diagnostic(`rollout activities: ${JSON.stringify(rollouts)}`);
  assert.ok(rollouts.timedOut + rollouts.retriedStarts >= 1, 'the killed draw ran again');
  let draws = 0;
  for (let step = 0; step < STEPS; step++)
    draws += (await readJson<StepMetrics>(store, runKeys.metrics(step)))?.dynamicSampling?.draws ?? 0;
  assert.equal(rollouts.completed, draws, 'each draw rolled out to completion once');
  assert.equal(await completedActivities(env.client, runId, 'update'), STEPS, 'each step updated once');
  assert.equal(await finalWeightsSha(store, STEPS), expectedSha, 'the same final weights as the run left alone');
});
