/**
 * The prepareData activity with the difficulty filter, outside Temporal (MockActivityEnvironment): a retried attempt
 * reuses the pass counts its predecessor heartbeated, and a reference that cannot be loaded fails for good with a
 * message naming the field.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { prepareData } from '../../../activities/datasets.ts';
import { initRun } from '../../../activities/run.ts';
import { readJson } from '../../../activities/run-context.ts';
import type { PreparedData } from '../../../activities/types.ts';
import type { DataManifest } from '../../../data/manifest.ts';
import { generateWorldRows } from '../../../data/worlds/index.ts';
import { configHash } from '../../../schemas/config-hash.ts';
import { parseExperimentConfig } from '../../../schemas/parse.ts';
import { openBlobStore } from '../../../storage/open.ts';
import { runKeys } from '../../../storage/run-layout.ts';

async function newRun(difficulty: Record<string, unknown>) {
  const raw = {
    name: 'prep',
    seed: 5,
    model: { preset: 'micro', tokenizer: { type: 'byte', tagTokens: true } },
    window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 8 }] },
    tasks: {
      math: { kind: 'math', source: { type: 'synthetic', trainSize: 6, heldOutSize: 1 }, filters: { difficulty } },
    },
    schedule: { kind: 'curriculum', stepsPerStage: 1 },
  };
  const parsed = parseExperimentConfig(raw);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-prepare-data-'));
  const run = {
    experiment: 'prep',
    runId: path.basename(dir),
    base: `file://${dir}`,
    configHash: configHash(parsed.config),
  };
  await new MockActivityEnvironment().run(initRun, { run, config: raw, plan: {} });
  return { run, dir };
}

test('a retried prepareData takes the pass counts of its last heartbeat and does not sample those prompts again', async () => {
  const { run, dir } = await newRun({ enabled: true, k: 4 });
  try {
    // The untrained micro base solves nothing: sampled, every prompt would be dropped (0/4). The previous attempt
    // heartbeated 2/4 for each of them, so nothing is sampled and every prompt is kept at pass rate 0.5.
    const ids = generateWorldRows('math', { seed: 5, trainSize: 6, heldOutSize: 1, task: 'math' }).train.map(
      (r) => r.id
    );
    const previous = {
      task: 'math',
      stage: 'difficulty',
      done: 6,
      total: 6,
      passes: Object.fromEntries(ids.map((id) => [id, 2])),
    };
    const env = new MockActivityEnvironment({ heartbeatDetails: previous, heartbeatTimeoutMs: 10_000 });
    const beats: Record<string, unknown>[] = [];
    env.on('heartbeat', (d: Record<string, unknown>) => beats.push(d));
    const out = (await env.run(prepareData, { run })) as PreparedData;
    assert.deepEqual(out.tasks.math, { train: 6, heldOut: 1, quarantined: 0 });
    const manifest = await readJson<DataManifest>(openBlobStore(run.base), runKeys.dataManifest('math'));
    const stage = manifest?.stages.find((s) => s.stage === 'difficulty');
    assert.deepEqual(stage && [stage.in, stage.out, stage.dropped], [6, 6, {}]);
    // Every heartbeat carries the counts so far, so the next retry would resume from them too.
    assert.ok(beats.length > 0);
    for (const b of beats) assert.deepEqual(b.passes, previous.passes);
    assert.ok(beats.some((b) => b.stage === 'difficulty'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a reference checkpoint that cannot be loaded fails prepareData for good, naming the field', async () => {
  const { run, dir } = await newRun({ enabled: true, k: 4, referenceModel: 'file:///nonexistent/oz-reference' });
  try {
    await assert.rejects(new MockActivityEnvironment().run(prepareData, { run }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure, String(err));
      assert.equal(err.nonRetryable, true);
      assert.equal(err.type, 'InvalidInput');
      assert.match(
        err.message,
        /^tasks\.math\.filters\.difficulty\.referenceModel: cannot load the difficulty filter's reference \(checkpoint file:\/\/\/nonexistent\/oz-reference\)/
      );
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
