/** The record schemas accept what the pipeline writes and reject what would corrupt it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkpointManifestSchema } from '../../../schemas/records/checkpoint-manifest.ts';
import { datasetRowSchema } from '../../../schemas/records/dataset-row.ts';
import { rewardRecordSchema } from '../../../schemas/records/reward-record.ts';
import { rolloutRecordSchema } from '../../../schemas/records/rollout-record.ts';
import { stepMetricsSchema } from '../../../schemas/records/step-metrics.ts';

const HASH = 'a'.repeat(64);

test('dataset row: a QA row with accepted answers; an unknown field or empty prompt is rejected', () => {
  const row = {
    id: 'q1',
    task: 'qa',
    kind: 'qa',
    prompt: 'Which gas…? Candidates: oxygen; nitrogen',
    reference: 'nitrogen',
    accepted: ['N2'],
  };
  assert.ok(datasetRowSchema.safeParse(row).success);
  assert.ok(!datasetRowSchema.safeParse({ ...row, answer: 'x' }).success);
  assert.ok(!datasetRowSchema.safeParse({ ...row, prompt: '' }).success);
  assert.ok(!datasetRowSchema.safeParse({ ...row, kind: 'poetry' }).success);
});

test('rollout record: one old log-prob per token', () => {
  const r = {
    id: '3/0/1',
    groupId: '3/0',
    step: 3,
    task: 'math',
    kind: 'math',
    rowId: 'm7',
    promptIndex: 0,
    sampleIndex: 1,
    response: '<think>',
    tokens: [1, 2],
    oldLogProbs: [-0.1, -2],
    truncated: false,
    window: 64,
  };
  assert.ok(rolloutRecordSchema.safeParse(r).success);
  const bad = rolloutRecordSchema.safeParse({ ...r, oldLogProbs: [-0.1] });
  assert.ok(!bad.success);
  assert.deepEqual(bad.error?.issues[0].path, ['oldLogProbs']);
});

test('reward record: components may be null (undefined in SPEC §2) but not absent', () => {
  const r = {
    id: '3/0/1',
    task: 'writing',
    components: { accuracy: null, format: 1, tags: null, length: -0.25 },
    total: null,
  };
  assert.ok(rewardRecordSchema.safeParse(r).success);
  assert.ok(!rewardRecordSchema.safeParse({ ...r, components: { format: 1, tags: null, length: 0 } }).success);
});

test('step metrics: fractions stay in [0, 1]', () => {
  const m = {
    step: 1,
    stage: 'code',
    window: 64,
    learningRate: 5e-4,
    loss: 0.1,
    clipFraction: 0.02,
    klApprox: 0,
    entropy: 2.3,
    rewardMean: 0.4,
    zeroVarianceGroupFraction: 0.25,
    truncatedFraction: 0.1,
    perTask: {},
    timings: { rolloutMs: 10, scoringMs: 5, updateMs: 20 },
  };
  assert.ok(stepMetricsSchema.safeParse(m).success);
  assert.ok(!stepMetricsSchema.safeParse({ ...m, clipFraction: 1.2 }).success);
});

test('checkpoint manifest: sha256 hex, relative unique paths, ISO time', () => {
  const m = {
    version: 1,
    experiment: 'demo',
    run: 'demo-20261122-abc',
    step: 12,
    stage: 'code',
    configHash: HASH,
    createdAt: '2026-11-22T04:00:00.000Z',
    files: [
      { path: 'model.safetensors', sha256: HASH, bytes: 1024 },
      { path: 'optimizer.safetensors', sha256: HASH, bytes: 2048 },
    ],
  };
  assert.ok(checkpointManifestSchema.safeParse(m).success);
  assert.ok(!checkpointManifestSchema.safeParse({ ...m, files: [{ path: '../x', sha256: HASH, bytes: 1 }] }).success);
  assert.ok(!checkpointManifestSchema.safeParse({ ...m, files: [{ path: 'x', sha256: 'ABC', bytes: 1 }] }).success);
  assert.ok(!checkpointManifestSchema.safeParse({ ...m, files: [m.files[0], m.files[0]] }).success);
  assert.ok(!checkpointManifestSchema.safeParse({ ...m, createdAt: 'yesterday' }).success);
});
