/**
 * Per-stage knobs reach the update in a real run: a stage's own learningRate (validated, then ignored: every stage
 * trained at grpo.learningRate) and the KL term to the frozen base policy (grpo.kl and the stage's kl were never
 * passed to the engine, so no run had a KL penalty whatever its config said).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepMetrics } from '../../schemas/records/step-metrics.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { useRunStack } from '../helpers/run-stack.ts';
import { freshBucket } from '../helpers/s3.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';

const stack = useRunStack();

test('a stage trains at its own learning rate and with its own KL β against the base policy', async () => {
  const bucket = await freshBucket('oz-knobs');
  const config = tinyExperiment({ name: 'knobs', storage: `s3://${bucket.bucket}/runs`, workers: stack.workers });
  Object.assign(config, {
    // The entropy bonus moves the weights even when every reward in a group agrees (a random micro model's usual case).
    grpo: { learningRate: 1e-3, entropyCoef: 0.5 },
    schedule: {
      kind: 'curriculum',
      stepsPerStage: 3,
      stages: [
        { name: 'code', tasks: [{ task: 'code' }] },
        { name: 'math', tasks: [{ task: 'math' }], learningRate: 2e-3, kl: { coef: 0.1 } },
      ],
    },
  });
  const runId = `knobs-${Date.now()}`;
  const handle = await stack.env.client.workflow.start('experiment', {
    args: [{ config, runId }],
    taskQueue: stack.workers.queues.main,
    workflowId: runId,
  });
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  const store = openBlobStore(result.base);
  const metrics = await Promise.all(
    [0, 1, 2, 3, 4, 5].map(
      async (s) => JSON.parse(Buffer.from(await store.get(runKeys.metrics(s))).toString()) as StepMetrics
    )
  );
  assert.deepEqual(
    metrics.map((m) => [m.stage, m.learningRate, m.refKl === undefined ? 'no KL' : 'KL']),
    [
      ['code', 1e-3, 'no KL'],
      ['code', 1e-3, 'no KL'],
      ['code', 1e-3, 'no KL'],
      ['math', 2e-3, 'KL'],
      ['math', 2e-3, 'KL'],
      ['math', 2e-3, 'KL'],
    ]
  );
  // After three code steps the policy has moved away from the base, so the KL to it is positive.
  const kl = metrics.slice(3).map((m) => m.refKl as number);
  assert.ok(
    kl.every((x) => x > 0),
    `refKl in the math stage: ${kl}`
  );
});
