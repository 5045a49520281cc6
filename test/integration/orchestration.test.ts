import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listCheckpoints, verifyCheckpoint } from '../../storage/checkpoints.ts';
import { runKeys, stepOfKey } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { progressQuery } from '../../workflows/messages.ts';
import { useRunStack } from '../helpers/run-stack.ts';
import { freshBucket } from '../helpers/s3.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';

const stack = useRunStack();

test('a tiny experiment (2 stages × 3 steps) completes through Temporal with checkpoints and metrics in S3', async () => {
  const bucket = await freshBucket('oz-orch');
  const storage = `s3://${bucket.bucket}/runs`;
  const runId = `orch-${Date.now()}`;
  const handle = await stack.env.client.workflow.start('experiment', {
    args: [{ config: tinyExperiment({ name: 'orch', storage, workers: stack.workers }), runId }],
    taskQueue: stack.workers.queues.main,
    workflowId: runId,
  });
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 6);
  assert.deepEqual(
    result.evaluations.map((e) => [e.after, e.step]),
    [
      ['base', 0],
      ['code', 3],
      ['math', 6],
    ]
  );
  const { openBlobStore } = await import('../../storage/open.ts');
  const store = openBlobStore(result.base);
  // Every step index has exactly one metrics object.
  const metricSteps = (await store.list(runKeys.metricsPrefix())).map((b) => stepOfKey(b.key));
  assert.deepEqual(metricSteps, [0, 1, 2, 3, 4, 5]);
  // Checkpoints: every 2 steps within a stage and at each stage end; retention keeps the last 2 (+ best).
  const kept = await listCheckpoints(store, '');
  assert.ok(kept.length >= 2, `checkpoints kept: ${kept.map((k) => k.step)}`);
  assert.equal(kept.at(-1)?.step, 6);
  for (const k of kept) {
    const v = await verifyCheckpoint(store, k.prefix, { deep: true });
    assert.equal(v.ok, true, `${k.prefix}: ${v.problems.join('; ')}`);
  }
  const progress = await handle.query(progressQuery);
  assert.equal(progress.status, 'completed');
  assert.equal(progress.step, 6);
});
