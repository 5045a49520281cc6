/**
 * The mergeCheckpoints activity on real storage (file:// and the real S3 server): two source runs, each with GRPO-
 * trained checkpoints, are merged; the merged checkpoint holds exactly tiesMerge of the same tensors computed here,
 * the source's best checkpoint by its keep-best metric is the one merged (else its newest), and a source trained
 * from another base is refused with a message naming it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { mergeCheckpoints } from '../../activities/merge.ts';
import { initRun } from '../../activities/run.ts';
import type { MergeCheckpointsOutput, RunRef } from '../../activities/types.ts';
import { initBackend } from '../../engine/backend.ts';
import { Policy } from '../../engine/policy.ts';
import { configHash } from '../../schemas/config-hash.ts';
import { parseExperimentConfig } from '../../schemas/parse.ts';
import { writeCheckpoint } from '../../storage/checkpoints.ts';
import { openBlobStore } from '../../storage/open.ts';
import { paramValues } from '../../training/merge-policy.ts';
import { tokenizerSpecOf } from '../../training/policy-config.ts';
import { loadCheckpointPolicy } from '../../training/policy-store.ts';
import { tiesMerge } from '../../training/ties-merge.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';

after(stopOwnS3);

function config(storage: string, seed = 3) {
  return {
    name: 'merge-it',
    seed,
    model: { preset: 'micro', tokenizer: { type: 'byte', tagTokens: true } },
    window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 8 }] },
    tasks: { math: { kind: 'math', source: { type: 'synthetic', trainSize: 4, heldOutSize: 1 } } },
    schedule: { kind: 'curriculum', stepsPerStage: 1 },
    checkpoint: { storage },
  };
}

async function newRun(storage: string, runId: string, seed = 3): Promise<RunRef> {
  const raw = config(storage, seed);
  const parsed = parseExperimentConfig(raw);
  assert.ok(parsed.ok);
  const run = { experiment: raw.name, runId, base: `${storage}/${runId}`, configHash: configHash(parsed.config) };
  await new MockActivityEnvironment().run(initRun, { run, config: raw, plan: {} });
  return run;
}

/** A fresh base policy of `seed`, trained by `steps` real GRPO updates on responses drawn from `tokens`. */
async function trained(seed: number, steps: number, tokens: number[]): Promise<Policy> {
  const policy = Policy.create({
    preset: 'micro',
    tokenizer: tokenizerSpecOf(parseConfig('file:///unused')),
    seed,
    learningRate: 1e-2,
  });
  for (let s = 0; s < steps; s++) {
    await policy.train(
      [
        { prompt: [1, 2, 3], response: tokens, advantage: 1 },
        { prompt: [1, 2, 3], response: tokens.slice().reverse(), advantage: -1 },
      ],
      { learningRate: 1e-2 }
    );
  }
  return policy;
}

/** Saves `policy` as `checkpoints/step-<step>` of a run, with a keep-best metric when given. */
async function saveAsCheckpoint(run: RunRef, policy: Policy, step: number, evalMean?: number): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-merge-src-'));
  try {
    const files = await policy.save(dir, { configHash: run.configHash });
    await writeCheckpoint(
      openBlobStore(run.base),
      '',
      step,
      files.map((f) => ({ path: f.path, localPath: f.localPath })),
      {
        experiment: run.experiment,
        run: run.runId,
        stage: 'math',
        configHash: run.configHash,
        ...(evalMean === undefined ? {} : { metrics: { 'eval/mean': evalMean } }),
      }
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function mergeOnStorage(storage: string): Promise<void> {
  await initBackend();
  const [a, b, merged] = await Promise.all([
    newRun(storage, 'src-a'),
    newRun(storage, 'src-b'),
    newRun(storage, 'merged'),
  ]);
  const base = await trained(3, 0, []);
  const aBest = await trained(3, 2, [40, 41, 42, 43]);
  const aLater = await trained(3, 3, [40, 41, 42, 43]);
  const bOnly = await trained(3, 2, [60, 61, 62]);
  await saveAsCheckpoint(a, aBest, 2, 0.8);
  await saveAsCheckpoint(a, aLater, 3, 0.3); // newer but worse: the best (step 2) is merged
  await saveAsCheckpoint(b, bOnly, 2); // no metric: the newest is merged

  const out = (await new MockActivityEnvironment().run(mergeCheckpoints, {
    run: merged,
    sources: [a, b].map((r) => ({ runId: r.runId, base: r.base })),
    density: 0.3,
  })) as MergeCheckpointsOutput;
  assert.deepEqual(
    out.merged.map((m) => [m.runId, m.step, m.metric]),
    [
      ['src-a', 2, 0.8],
      ['src-b', 2, null],
    ]
  );
  assert.equal(out.density, 0.3);
  assert.equal(out.lambda, 1);
  assert.equal(out.checkpoint, `${storage}/merged/checkpoints/step-00000000`);

  const expected = tiesMerge(paramValues(base.params), [paramValues(aBest.params), paramValues(bOnly.params)], {
    density: 0.3,
  });
  const loaded = await loadCheckpointPolicy(parseConfig(storage), out.checkpoint);
  const got = paramValues(loaded.params);
  assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
  let moved = 0;
  for (const [name, values] of expected) {
    assert.deepEqual(got.get(name), values, name);
    const b0 = paramValues(base.params).get(name)!;
    moved += values.filter((v, i) => v !== b0[i]).length;
  }
  assert.ok(moved > 0, 'the merge moved no weight: the sources were not trained');
  assert.equal(loaded.step, 0);

  // A retried activity returns the recorded merge without recomputing it.
  const again = await new MockActivityEnvironment().run(mergeCheckpoints, {
    run: merged,
    sources: [a, b].map((r) => ({ runId: r.runId, base: r.base })),
    density: 0.3,
  });
  assert.deepEqual(again, out);

  const other = await newRun(storage, 'src-other-seed', 4);
  await saveAsCheckpoint(other, await trained(4, 1, [40, 41]), 1);
  const refused = await newRun(storage, 'merged-refused');
  await assert.rejects(
    new MockActivityEnvironment().run(mergeCheckpoints, {
      run: refused,
      sources: [a, other].map((r) => ({ runId: r.runId, base: r.base })),
    }),
    (err: unknown) =>
      err instanceof ApplicationFailure &&
      err.nonRetryable &&
      /merge source 'src-other-seed' started from another base model/.test(err.message)
  );
  for (const p of [base, aBest, aLater, bOnly, loaded]) p.dispose();
}

function parseConfig(storage: string) {
  const parsed = parseExperimentConfig(config(storage));
  assert.ok(parsed.ok);
  return parsed.config;
}

test('merge on file:// storage equals tiesMerge of the same tensors', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-merge-it-'));
  try {
    await mergeOnStorage(`file://${dir}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('merge on the real S3 server equals tiesMerge of the same tensors', async () => {
  const bucket = await freshBucket('oz-merge');
  await mergeOnStorage(`s3://${bucket.bucket}/runs`);
});
