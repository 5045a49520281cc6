/**
 * Issue 5 item 5: an update that lasts longer than the heartbeat timeout stays alive, because Policy.train yields
 * per micro-batch and the activity heartbeats then. With the old synchronous update this run loses every update
 * attempt to a heartbeat timeout. The config learns (test/helpers/learning-config.ts: the demo base), so the long
 * updates really move the weights: a gradient norm > 0 at both steps and final weights other than the base's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MODEL_FILE } from '../../engine/checkpoint/checkpoint.ts';
import type { StepMetrics } from '../../schemas/records/step-metrics.ts';
import { joinKey } from '../../storage/blob-store.ts';
import { checkpointPrefix } from '../../storage/checkpoints.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { activityOutcomes } from '../helpers/durability.ts';
import { baseWeightsOf, maxAbsDifference } from '../helpers/honest-resume.ts';
import { learningExperiment } from '../helpers/learning-config.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';
import { type RunningWorkers, startTestWorkers } from '../helpers/workers.ts';

const HEARTBEAT_MS = 2000;
let env: TemporalTestEnv;
let workers: RunningWorkers;

before(async () => {
  env = await temporalTestEnv();
  workers = await startTestWorkers(env, ['main', 'gpu', 'cpu', 'io']);
});
after(async () => {
  await workers.stop();
  await env.teardown();
  await stopOwnS3();
});

test('an update longer than the heartbeat timeout completes on its first attempt', { timeout: 240_000 }, async (t) => {
  const bucket = await freshBucket('oz-dur-hb');
  const storage = `s3://${bucket.bucket}/runs`;
  const config = learningExperiment({ name: 'heartbeat', storage, queues: workers.queues, heartbeat: '2s' });
  // Two steps, arithmetic only (the base answers some right: rewards vary in a group), a batch large enough for an
  // update well beyond the heartbeat timeout: 384 sequences in 48 micro-batches of 8.
  Object.assign(config, {
    tasks: { math: { kind: 'math', source: { type: 'synthetic', world: 'arith', trainSize: 16, heldOutSize: 1 } } },
    schedule: { kind: 'curriculum', stepsPerStage: 2 },
    rollout: { groupSize: 48, promptsPerStep: 8 },
    window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 128 }] },
    grpo: { learningRate: 0.0003, miniBatchSize: 8, gradientAccumulation: 48 },
  });
  const runId = `dur-hb-${Date.now()}`;
  const handle = await env.client.workflow.start('experiment', {
    args: [{ config, runId }],
    taskQueue: workers.queues.main,
    workflowId: runId,
  });
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  const store = openBlobStore(result.base);
  const metrics = await Promise.all(
    [0, 1].map(async (s) => JSON.parse(Buffer.from(await store.get(runKeys.metrics(s))).toString()) as StepMetrics)
  );
  const updateMs = metrics.map((m) => m.timings.updateMs);
  const gradNorms = metrics.map((m) => m.gradNorm);
  const finalWeights = await store.get(joinKey(checkpointPrefix('', 2), MODEL_FILE));
  const movedFromBase = maxAbsDifference(finalWeights, await baseWeightsOf(config));
  t.diagnostic(JSON.stringify({ updateMs, gradNorms, movedFromBase }));
  assert.ok(
    gradNorms.every((g) => (g ?? 0) > 0),
    `gradient norms ${gradNorms}: the long updates trained on nothing`
  );
  assert.ok(movedFromBase > 0, 'the final checkpoint holds the base weights');
  // Only meaningful if an update outlived the heartbeat timeout.
  assert.ok(Math.max(...updateMs) > HEARTBEAT_MS, `updates took ${updateMs} ms, not longer than ${HEARTBEAT_MS}`);
  // Nothing lost an attempt to the 2 s timeout: the rollout and the evaluation heartbeat per token step (the sampler
  // yields to the event loop every 20 ms; before it did, one rollout attempt in two lost its heartbeat here, and the
  // pipelined scorer, waiting in the same process, lost its own), the scorer at a third of the timeout, the update
  // per micro-batch.
  for (const a of ['rollout', 'score', 'update', 'evaluate']) {
    const o = await activityOutcomes(env.client, runId, a);
    assert.deepEqual({ timedOut: o.timedOut, retriedStarts: o.retriedStarts }, { timedOut: 0, retriedStarts: 0 }, a);
    if (a === 'update') assert.equal(o.completed, 2);
  }
});
