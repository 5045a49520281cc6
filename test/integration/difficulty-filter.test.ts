/**
 * The difficulty filter in a real run (SPEC §7, GZ §4.1.2): the prepareData activity builds the reference policy from
 * the config (here the run's base policy, the shipped demo base, sampled in the worker's engine) and passes it to data
 * preparation, whose manifest records the filter's counts; a reference that solves nothing fails the run at once,
 * saying so and what to change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { DataManifest } from '../../data/manifest.ts';
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { useRunStack } from '../helpers/run-stack.ts';
import { freshBucket } from '../helpers/s3.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';

const stack = useRunStack();

/** The tiny experiment on one arith math task with the difficulty filter; the base is demo-base unless `untrained`. */
function config(name: string, storage: string, o: { untrained?: boolean } = {}): Record<string, unknown> {
  const tiny = tinyExperiment({ name, storage, workers: stack.workers, tasks: ['math'], stepsPerStage: 2 });
  return {
    ...tiny,
    seed: 7,
    // demo-base was pretrained on this prompt format (examples/demo.yaml); the untrained case keeps the micro preset.
    template: { style: 'ot', systemPrompt: 'Think inside <think></think>, then answer inside <answer></answer>.' },
    model: o.untrained
      ? tiny.model
      : { preset: 'tiny', checkpoint: 'file://models/demo-base', tokenizer: { type: 'byte', tagTokens: true } },
    rollout: { groupSize: 2, promptsPerStep: 2, temperature: 0.7 },
    // Long enough for a worked two-digit sum (`<think>85+47 … </think><answer>132</answer>` ≈ 30 byte tokens).
    window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 40 }] },
    tasks: {
      math: {
        kind: 'math',
        source: { type: 'synthetic', world: 'arith', trainSize: 16, heldOutSize: 2 },
        filters: { difficulty: { enabled: true, k: 4 } },
      },
    },
  };
}

test('a run with the difficulty filter on the base policy records its counts in the data manifest and completes', async () => {
  const bucket = await freshBucket('oz-diff');
  const runId = `diff-${Date.now()}`;
  const handle = await stack.env.client.workflow.start('experiment', {
    args: [{ config: config('diff', `s3://${bucket.bucket}/runs`), runId }],
    taskQueue: stack.workers.queues.main,
    workflowId: runId,
  });
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 2);

  const store = openBlobStore(result.base);
  const manifest = JSON.parse(
    Buffer.from(await store.get(runKeys.dataManifest('math'))).toString('utf8')
  ) as DataManifest;
  const stage = manifest.stages.find((s) => s.stage === 'difficulty');
  assert.ok(stage, `stages: ${manifest.stages.map((s) => s.stage).join(', ')}`);
  assert.equal(stage.in, 16);
  const dropped = Object.values(stage.dropped).reduce((a, b) => a + b, 0);
  assert.equal(stage.in - stage.out, dropped, JSON.stringify(stage));
  assert.ok(
    stage.out > 0 && stage.out < stage.in,
    `demo-base solves some arith prompts, not all: ${JSON.stringify(stage)}`
  );
  for (const reason of Object.keys(stage.dropped)) assert.match(reason, /^solved (0|4)\/4 \(too (hard|easy)\)$/);
  assert.equal(manifest.outputs.train.rows, stage.out);
  // The kept rows are what training sampled from, each with its pass rate strictly between 0 and 1.
  const train = Buffer.from(await store.get(runKeys.dataset('math', 'train')))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as DatasetRow);
  assert.equal(train.length, stage.out);
  for (const row of train) {
    const rate = row.meta?.passRate as number;
    assert.ok(rate > 0 && rate < 1 && row.meta?.difficultyK === 4, JSON.stringify(row.meta));
  }
});

test('a reference that solves no prompt fails the run at once, saying so and what to change', async () => {
  const bucket = await freshBucket('oz-diff');
  const runId = `diff-none-${Date.now()}`;
  const handle = await stack.env.client.workflow.start('experiment', {
    args: [{ config: config('diff-none', `s3://${bucket.bucket}/runs`, { untrained: true }), runId }],
    taskQueue: stack.workers.queues.main,
    workflowId: runId,
  });
  await assert.rejects(handle.result(), (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError);
    const cause = err.cause?.cause as { message: string; type?: string; nonRetryable?: boolean } | undefined;
    assert.equal(cause?.type, 'InvalidInput');
    assert.equal(cause?.nonRetryable, true);
    assert.match(
      cause?.message ?? '',
      /tasks\.math\.filters\.difficulty: dropped all 16 training prompts: 16 solved 0\/4/
    );
    assert.match(cause?.message ?? '', /raise k .* stronger reference .*enabled: false/);
    assert.match(cause?.message ?? '', /\(reference: base policy: untrained micro weights \(seed 7\)\)/);
    return true;
  });
  // Not retried: the one attempt of prepareData is the one in the history.
  const history = await handle.fetchHistory();
  const attempts = (history.events ?? [])
    .map((e) => e.activityTaskStartedEventAttributes?.attempt)
    .filter((a) => a != null);
  assert.deepEqual(attempts, [1, 1]);
});
