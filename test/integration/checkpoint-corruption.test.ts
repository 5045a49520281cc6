/**
 * A corrupted checkpoint is never used: one flipped byte anywhere in any of its files (the manifest included), a
 * truncated file, a missing file or a missing manifest makes the deep check fail, and resume falls back to the
 * previous checkpoint — on the file store and on the real S3 server. Random flip positions, masks and truncation
 * lengths from a fixed seed; counts reported as test diagnostics.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import fc from 'fast-check';
import { resumeFromCheckpoint } from '../../activities/resume.ts';
import type { ResumeFromCheckpointOutput } from '../../activities/types.ts';
import { type BlobStore, joinKey } from '../../storage/blob-store.ts';
import {
  checkpointPrefix,
  MANIFEST_NAME,
  newestValidCheckpoint,
  verifyCheckpoint,
  writeCheckpoint,
} from '../../storage/checkpoints.ts';
import { FileBlobStore } from '../../storage/file-store.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';

after(stopOwnS3);

const SEED = 0x16_0c;
const CONFIG_HASH = 'c'.repeat(64);
const STEPS = [2, 4, 6];
const NEWEST = STEPS.at(-1) as number;
const FILES = ['weights.safetensors', 'optimizer.safetensors', 'omni.json', MANIFEST_NAME];

/** A run with three checkpoints whose files differ per step, as `update` writes them (omni.json carries the cursor). */
async function writeRun(store: BlobStore): Promise<void> {
  await store.put('run.json', JSON.stringify({ runId: 'old', experiment: 'e', configHash: CONFIG_HASH }));
  for (const step of STEPS) {
    const omni = { step, extra: { stage: 'math', cursor: { math: { epoch: 0, offset: step * 8 } } } };
    await writeCheckpoint(
      store,
      '',
      step,
      [
        { path: 'weights.safetensors', data: randomBytes(3000 + step) },
        { path: 'optimizer.safetensors', data: randomBytes(5000 + step) },
        { path: 'omni.json', data: JSON.stringify(omni) },
      ],
      {
        experiment: 'e',
        run: 'old',
        stage: 'math',
        configHash: CONFIG_HASH,
        metrics: { reward: step / 10 },
        plan: { stageIndex: 0, stageStartStep: 0, stageEndStep: 10, learningRate: 1e-6 },
      }
    );
  }
}

type Corruption =
  | { kind: 'flip'; file: string; at: number; mask: number }
  | { kind: 'truncate'; file: string; at: number }
  | { kind: 'delete'; file: string };

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('flip' as const),
      file: fc.constantFrom(...FILES),
      at: fc.nat(),
      mask: fc.integer({ min: 1, max: 255 }),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('truncate' as const), file: fc.constantFrom(...FILES), at: fc.nat() }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), file: fc.constantFrom(...FILES) }), weight: 1 }
);

/** Damages one file of the newest checkpoint; returns a function that puts the original bytes back. */
async function corrupt(store: BlobStore, c: Corruption): Promise<() => Promise<void>> {
  const key = joinKey(checkpointPrefix('', NEWEST), c.file);
  const original = Buffer.from(await store.get(key));
  if (c.kind === 'delete') await store.delete([key]);
  else {
    const bytes = Buffer.from(original);
    if (c.kind === 'flip') bytes[c.at % bytes.length] ^= c.mask;
    await store.put(key, c.kind === 'flip' ? bytes : bytes.subarray(0, c.at % bytes.length));
  }
  return async () => void (await store.put(key, original));
}

const label = (c: Corruption) => `${c.kind} ${c.file}`;

async function corruptionsDetected(store: BlobStore, numRuns: number) {
  await writeRun(store);
  const counts: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(corruption, async (c) => {
      const restore = await corrupt(store, c);
      try {
        const v = await verifyCheckpoint(store, checkpointPrefix('', NEWEST), { deep: true });
        assert.equal(v.ok, false, `${JSON.stringify(c)} is detected`);
        const ck = await newestValidCheckpoint(store, '', { deep: true });
        assert.equal(ck?.step, STEPS.at(-2), `${JSON.stringify(c)}: the previous checkpoint is the newest valid one`);
      } finally {
        await restore();
      }
      counts[label(c)] = (counts[label(c)] ?? 0) + 1;
    }),
    { seed: SEED, numRuns, endOnFailure: true }
  );
  // Restored, the newest checkpoint is valid again: every detection above was the corruption's doing.
  assert.equal((await newestValidCheckpoint(store, '', { deep: true }))?.step, NEWEST);
  return { tried: numRuns, detected: Object.values(counts).reduce((a, b) => a + b, 0), byKind: counts };
}

/** The resume activity itself, on one corruption of each kind: it starts the new run from the previous checkpoint. */
async function resumeFallsBack(oldStore: BlobStore, newBase: (i: number) => string) {
  const kinds: Corruption[] = [
    { kind: 'flip', file: 'weights.safetensors', at: 1234, mask: 0x01 },
    { kind: 'flip', file: MANIFEST_NAME, at: 200, mask: 0x04 },
    { kind: 'truncate', file: 'optimizer.safetensors', at: 4000 },
    { kind: 'truncate', file: MANIFEST_NAME, at: 100 },
    { kind: 'delete', file: MANIFEST_NAME },
  ];
  for (const [i, c] of kinds.entries()) {
    const restore = await corrupt(oldStore, c);
    try {
      const out: ResumeFromCheckpointOutput = await new MockActivityEnvironment().run(resumeFromCheckpoint, {
        run: { experiment: 'e', runId: `new-${i}`, base: newBase(i), configHash: CONFIG_HASH },
        from: { runId: 'old', base: oldStore.uri },
      });
      const previous = STEPS.at(-2) as number;
      assert.equal(out.policy.step, previous, `${label(c)}: resumed from step ${previous}`);
      assert.deepEqual(out.cursor, { math: { epoch: 0, offset: previous * 8 } });
      assert.equal(out.checkpoint, oldStore.uriOf(checkpointPrefix('', previous)));
    } finally {
      await restore();
    }
  }
  return kinds.length;
}

test('file store: every corrupted newest checkpoint is detected and resume falls back to the previous one', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'oz-ckpt-corrupt-'));
  try {
    const store = new FileBlobStore(path.join(dir, 'old'));
    const counts = await corruptionsDetected(store, 400);
    assert.equal(counts.detected, counts.tried);
    const resumed = await resumeFallsBack(store, (i) => `file://${path.join(dir, `new-${i}`)}`);
    t.diagnostic(JSON.stringify({ store: 'file', ...counts, resumedFromPrevious: resumed }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('real S3 server: every corrupted newest checkpoint is detected and resume falls back to the previous one', async (t) => {
  const store = await freshBucket('oz-corrupt');
  const counts = await corruptionsDetected(store, 150);
  assert.equal(counts.detected, counts.tried);
  const resumed = await resumeFallsBack(store, (i) => `${store.uri.replace(/\/base\/prefix$/, '')}/new-${i}`);
  t.diagnostic(JSON.stringify({ store: 's3', ...counts, resumedFromPrevious: resumed }));
});
