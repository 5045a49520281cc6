/**
 * The RFT and continued-pretraining baselines as rows of a sweep (issue 17), on the real dev server, worker
 * processes and the real S3 server: a GRPO variant, an `rft` variant and a `pretrain` variant matched to the GRPO
 * run's wall time run to one comparison. The RFT run sampled k responses per prompt of every RL step's batch, kept the
 * ones its reward marked correct and fine-tuned the base on them with the RL run's update budget; the pretrain run
 * trained on the base corpus in chunks for the wall time the sweep recorded for the GRPO run; both moved the weights
 * away from the base and were evaluated like any run. An RFT run whose workers are all killed (SIGKILL) while it
 * fine-tunes completes with the weights and scores of the same run left alone.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { CollectCorrectOutput } from '../../activities/types.ts';
import { initBackend } from '../../engine/backend.ts';
import { loadCheckpoint } from '../../engine/checkpoint/checkpoint.ts';
import { disposeParams } from '../../engine/model/init.ts';
import { loadRun } from '../../report/load.ts';
import { downloadCheckpoint } from '../../storage/checkpoints.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import { paramValues } from '../../training/merge-policy.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { uniqueQueues, waitUntil } from '../helpers/durability.ts';
import { learningExperiment } from '../helpers/learning-config.ts';
import { spawnRunWorkers, type WorkerProcess } from '../helpers/processes.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';
import { executeSweep } from '../helpers/sweep-run.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';

let env: TemporalTestEnv;
const procs: WorkerProcess[] = [];

const startWorkers = (queues: ReturnType<typeof uniqueQueues>) => spawnRunWorkers(env.address, queues, procs);

before(async () => {
  env = await temporalTestEnv();
});
after(async () => {
  for (const p of procs) await p.kill();
  await env.teardown();
  await stopOwnS3();
});

/** The demo base on one arithmetic stage of 2 steps (2 prompts × 4 responses): it answers some right, some wrong. */
function experiment(storage: string, queues: ReturnType<typeof uniqueQueues>, heartbeat?: string) {
  return {
    ...learningExperiment({ name: 'baselines-drill', storage, queues, ...(heartbeat ? { heartbeat } : {}) }),
    tasks: { math: { kind: 'math', source: { type: 'synthetic', world: 'arith', trainSize: 16, heldOutSize: 4 } } },
    schedule: { kind: 'curriculum', stepsPerStage: 2 },
    rollout: { groupSize: 4, promptsPerStep: 2 },
    // Every row's average relative score and BWT need the base's evaluation.
    evaluation: { everySteps: 0, avgK: 1, baseline: true },
  };
}

/** The weights of a checkpoint folder (`dir`), or of the run's checkpoint `prefix`. */
async function weights(source: { dir: string } | { base: string; prefix: string }) {
  const local = 'dir' in source ? source.dir : mkdtempSync(path.join(os.tmpdir(), 'oz-baselines-'));
  try {
    if (!('dir' in source)) await downloadCheckpoint(openBlobStore(source.base), source.prefix, local);
    const ck = await loadCheckpoint(local, { optimizer: false, tokenizer: false });
    const values = paramValues(ck.params);
    disposeParams(ck.params);
    return values;
  } finally {
    if (!('dir' in source)) rmSync(local, { recursive: true, force: true });
  }
}

const moved = (a: Map<string, Float32Array>, b: Map<string, Float32Array>) =>
  [...a].reduce((n, [name, v]) => n + v.filter((x, i) => x !== b.get(name)![i]).length, 0);

test('a GRPO, an RFT and a continued-pretraining variant run to one comparison with three rows', {
  timeout: 300_000,
}, async (t) => {
  const bucket = await freshBucket('oz-sweep-baselines');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('sweep-baselines');
  await startWorkers(queues);
  const sweepConfig = {
    name: 'baselines-drill',
    experiment: experiment(storage, queues),
    variants: [
      { name: 'grpo' },
      { name: 'rft', rft: { k: 4, stepsPerChunk: 1 } },
      { name: 'cpt', pretrain: { sameWallTimeAs: 'grpo', batchSize: 8, stepsPerChunk: 4 } },
    ],
    concurrency: 2,
  };
  const { result, ids } = await executeSweep(env, queues, sweepConfig, 7);
  const [grpo, rft, cpt] = await Promise.all(ids.map((id) => loadRun(storage, id)));
  for (const run of [rft, cpt]) {
    assert.deepEqual(run.problems, []);
    assert.deepEqual(
      run.evaluations.map((e) => [e.stage, e.reason]),
      [
        ['base', 'base'],
        [run === rft ? 'rft' : 'pretrain', 'final'],
      ]
    );
    // The same base as the GRPO run: the same scores on the same held-out rows.
    assert.deepEqual(run.evaluations[0].scores, grpo.evaluations.find((e) => e.reason === 'base')?.scores);
  }
  assert.equal(rft.header.status, 'rejection-sampling fine-tuned (no RL steps)');
  assert.equal(cpt.header.status, 'continued pretraining (no RL steps)');

  // RFT: 2 rounds (the RL run's 2 steps) × 2 prompts × k = 4 responses, the correct ones kept; the RL run's update
  // budget: 2 optimiser steps (1 per RL step) of 2 prompts × G = 8 sequences.
  const rftStore = openBlobStore(`${storage}/${ids[1]}`);
  const kept = JSON.parse(
    Buffer.from(await rftStore.get(runKeys.rftKeptDone())).toString('utf8')
  ) as CollectCorrectOutput;
  assert.equal(kept.perTask.math.sampled, 16);
  assert.ok(kept.kept > 0 && kept.kept < 16, `kept ${kept.kept} of 16: the filter kept all or none`);
  const rftPlan = JSON.parse(Buffer.from(await rftStore.get('run.json')).toString('utf8')).plan;
  assert.deepEqual(rftPlan.rft.budget, { steps: 2, batchSize: 8, sequences: 16 });
  assert.equal(rftPlan.rft.rounds, 2);
  assert.equal(rft.evaluations[1].step, 2);

  // Continued pretraining: the GRPO run's wall time as its budget, at least one chunk of 4 steps trained.
  const cptPlan = JSON.parse(
    Buffer.from(await openBlobStore(`${storage}/${ids[2]}`).get('run.json')).toString('utf8')
  ).plan;
  assert.equal(cptPlan.pretrain.wallMs, result.runs[0].wallMs);
  const cptSteps = cpt.evaluations[1].step;
  assert.ok(cptSteps >= 4 && cptSteps % 4 === 0, `continued pretraining ran ${cptSteps} steps`);

  // Both moved the weights away from the base.
  await initBackend();
  const base = await weights({ dir: 'models/demo-base' });
  const rftW = await weights({ base: `${storage}/${ids[1]}`, prefix: 'checkpoints/step-00000002' });
  const cptW = await weights({
    base: `${storage}/${ids[2]}`,
    prefix: `checkpoints/step-${String(cptSteps).padStart(8, '0')}`,
  });
  assert.ok(moved(rftW, base) > 0, 'RFT left the base weights as they were');
  assert.ok(moved(cptW, base) > 0, 'continued pretraining left the base weights as they were');

  // Rows of the comparison like any run's, with scores.
  const rows = result.comparison.variants;
  assert.deepEqual(
    rows.map((v) => [v.variant, v.runIds]),
    ['grpo', 'rft', 'cpt'].map((v, i) => [v, [ids[i]]])
  );
  for (const [i, row] of rows.entries()) {
    assert.equal(typeof row.final.math.mean, 'number', `${row.variant} has no final math score`);
    const base = row.base.math.mean!;
    assert.equal(row.bwt.math.mean, base - row.final.math.mean!);
    if (base > 0) assert.equal(row.averageRelative.mean, row.final.math.mean! / base);
    assert.equal(row.wallMs.mean, result.runs[i].wallMs);
  }
  assert.equal(rows[1].final.math.mean, rft.evaluations[1].scores.math);
  assert.equal(rows[2].final.math.mean, cpt.evaluations[1].scores.math);
  t.diagnostic(
    JSON.stringify({
      wallMs: result.runs.map((r) => r.wallMs),
      final: rows.map((v) => [v.variant, v.final.math.mean]),
      kept: kept.kept,
      cptSteps,
    })
  );
});

test('kill -9 of every worker while an RFT run fine-tunes: it completes with the weights of a run left alone', {
  timeout: 300_000,
}, async (t) => {
  const bucket = await freshBucket('oz-rft-crash');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('rft-crash');
  const first = await startWorkers(queues);
  // 4 RL steps: 4 rounds, then 4 fine-tuning chunks of one step each.
  // A short heartbeat timeout: the killed worker's activity is retried within seconds.
  const config = { ...experiment(storage, queues, '5s'), schedule: { kind: 'curriculum', stepsPerStage: 4 } };
  const rft = { k: 4, judgedThreshold: 1, stepsPerChunk: 1 };
  const start = (runId: string) =>
    env.client.workflow.start('rftRun', { args: [{ config, runId, rft }], taskQueue: queues.main, workflowId: runId });
  const alone = `rft-alone-${Date.now()}`;
  const aloneResult = (await (await start(alone)).result()) as ExperimentResult;

  const crashed = `rft-crashed-${Date.now()}`;
  const handle = await start(crashed);
  const store = openBlobStore(`${storage}/${crashed}`);
  await waitUntil('the first fine-tuning chunk', () => store.head(runKeys.fineTuneChunkDone(0)), 120_000);
  await Promise.all(first.map((p) => p.kill('SIGKILL')));
  const chunksAtKill = (await Promise.all([0, 1, 2, 3].map((c) => store.head(runKeys.fineTuneChunkDone(c))))).filter(
    Boolean
  ).length;
  await startWorkers(queues);
  const result = (await handle.result()) as ExperimentResult;

  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 4);
  assert.ok(chunksAtKill < 4, 'the kill landed after the fine-tuning: nothing was interrupted');
  for (const c of [0, 1, 2, 3]) assert.ok(await store.head(runKeys.fineTuneChunkDone(c)), `chunk ${c} not recorded`);
  await initBackend();
  const [aloneW, crashedW] = await Promise.all(
    [alone, crashed].map((id) => weights({ base: `${storage}/${id}`, prefix: 'checkpoints/step-00000004' }))
  );
  const base = await weights({ dir: 'models/demo-base' });
  assert.ok(moved(aloneW, base) > 0, 'RFT left the base weights as they were');
  for (const [name, values] of aloneW) assert.deepEqual(crashedW.get(name), values, name);
  assert.deepEqual(result.evaluations, aloneResult.evaluations);
  t.diagnostic(JSON.stringify({ chunksAtKill, evaluations: result.evaluations }));
});
