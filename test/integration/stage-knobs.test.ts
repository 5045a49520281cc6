/**
 * Per-stage knobs reach the update in a real run: a stage's own learning rate, as Adam applied it to the weights,
 * and its KL β against the frozen base policy.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { type LoadedCheckpoint, loadCheckpoint } from '../../engine/checkpoint/checkpoint.ts';
import { disposeParams } from '../../engine/model/init.ts';
import type { EvalRecord } from '../../schemas/records/eval-record.ts';
import type { StepMetrics } from '../../schemas/records/step-metrics.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { checkpointPrefix } from '../../storage/checkpoints.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { useRunStack } from '../helpers/run-stack.ts';
import { freshBucket } from '../helpers/s3.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';

const stack = useRunStack();

/** The policy the run published after `step` RL steps, weights and Adam state. */
async function publishedPolicy(store: BlobStore, step: number): Promise<LoadedCheckpoint> {
  const prefix = checkpointPrefix(runKeys.policyRoot(), step);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-knobs-'));
  try {
    for (const { key } of await store.list(prefix))
      await store.getToFile(key, path.join(dir, key.slice(prefix.length)));
    return await loadCheckpoint(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The learning rate Adam applied in the one optimiser step between two published policies, read from the weights
 * themselves: with weight decay 0, w_before − w_after = lr·m̂/(√v̂ + ε), where m̂ = m/(1 − β1^t) and v̂ = v/(1 − β2^t)
 * are the moments saved with w_after (Adam's defaults β1 0.9, β2 0.999, ε 1e-8). The median over the elements
 * whose step direction |m̂/(√v̂ + ε)| is at least 0.5, where float32 rounding of w is small beside the step.
 */
function appliedLearningRate(before: LoadedCheckpoint, after: LoadedCheckpoint): number {
  const t = after.optimizer!.step;
  assert.equal(t, before.optimizer!.step + 1, 'one Adam step between the two policies');
  const c1 = 1 - 0.9 ** t;
  const c2 = 1 - 0.999 ** t;
  const rates: number[] = [];
  for (const [name, w] of after.params) {
    const [moved, direction] = tf.tidy(() => {
      const m = after.optimizer!.moments.get(`${name}.m`)!;
      const v = after.optimizer!.moments.get(`${name}.v`)!;
      return [before.params.get(name)!.sub(w).dataSync(), m.div(c1).div(v.div(c2).sqrt().add(1e-8)).dataSync()];
    });
    direction.forEach((d, i) => {
      if (Math.abs(d) >= 0.5) rates.push(moved[i] / d);
    });
  }
  assert.ok(rates.length > 100, `only ${rates.length} elements moved`);
  rates.sort((a, b) => a - b);
  return rates[rates.length >> 1];
}

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
  // The metrics above record the rate the stage asked for; the weights show the rate Adam used. The run keeps its
  // last two policies: math steps 2 and 3, so the last update is the math stage's.
  const [before, after] = await Promise.all([5, 6].map((s) => publishedPolicy(store, s)));
  const lr = appliedLearningRate(before, after);
  assert.ok(Math.abs(lr - 2e-3) < 1e-6, `Adam applied ${lr} in the math stage's last step, not its 2e-3`);
  for (const p of [before, after]) {
    disposeParams(p.params);
    for (const m of p.optimizer!.moments.values()) m.dispose();
  }
  // After three code steps the policy has moved away from the base, so the KL to it is positive.
  const kl = metrics.slice(3).map((m) => m.refKl as number);
  assert.ok(
    kl.every((x) => x > 0),
    `refKl in the math stage: ${kl}`
  );
});

test('evaluation knobs reach the run: no baseline, no stage-end evaluations, fewer held-out prompts for a task', async () => {
  const bucket = await freshBucket('oz-eval-knobs');
  const config = tinyExperiment({
    name: 'eval-knobs',
    storage: `s3://${bucket.bucket}/runs`,
    workers: stack.workers,
    stepsPerStage: 2,
  }) as Record<string, any>;
  // Periodic evaluations after every step stay on: with stage ends and the baseline off they are the only ones.
  config.evaluation = {
    everySteps: 1,
    avgK: 1,
    baseline: false,
    atStageEnd: false,
    perTask: { code: { heldOutSize: 1 } },
  };
  const runId = `eval-knobs-${Date.now()}`;
  const result = (await stack.env.client.workflow
    .start('experiment', { args: [{ config, runId }], taskQueue: stack.workers.queues.main, workflowId: runId })
    .then((h) => h.result())) as ExperimentResult;
  assert.equal(result.status, 'completed');
  const store = openBlobStore(result.base);
  const records = await Promise.all(
    (await store.list(runKeys.evaluationPrefix())).map(
      async (b) => JSON.parse(Buffer.from(await store.get(b.key)).toString()) as EvalRecord
    )
  );
  const reasons = records.map((r) => r.reason);
  assert.ok(!reasons.includes('base'), `no baseline evaluation: ${reasons}`);
  assert.ok(!reasons.includes('stage-end'), `no stage-end evaluation: ${reasons}`);
  assert.ok(records.length > 0, 'the periodic evaluations still ran');
  for (const r of records) {
    // code evaluates 1 prompt × avg@1; math its whole held-out set (2 prompts in the tiny config).
    assert.equal(r.samples.code, 1, JSON.stringify(r.samples));
    assert.equal(r.samples.math, 2, JSON.stringify(r.samples));
  }
  assert.equal(
    result.evaluations.find((e) => e.after === 'base'),
    undefined
  );
});
