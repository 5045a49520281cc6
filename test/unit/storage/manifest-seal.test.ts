/**
 * The checkpoint manifest protects itself: every single-byte change at every position (eight masks each) and every
 * truncation of a written manifest is rejected by parseManifest. Without the seal a flipped digit in `learningRate`
 * or `stageEndStep` resumed a run with a plan nobody set, and the deep check passed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CheckpointError, MANIFEST_NAME, parseManifest, writeCheckpoint } from '../../../storage/checkpoints.ts';
import { FileBlobStore } from '../../../storage/file-store.ts';

const MASKS = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80];

async function writtenManifest(): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'oz-seal-'));
  try {
    const store = new FileBlobStore(dir);
    const { prefix } = await writeCheckpoint(store, 'run', 12, [{ path: 'w.bin', data: 'weights' }], {
      experiment: 'e',
      run: 'r',
      stage: 'math',
      configHash: 'a'.repeat(64),
      metrics: { reward: 0.5 },
      plan: { stageIndex: 1, stageStartStep: 10, stageEndStep: 20, learningRate: 1e-6 },
    });
    return Buffer.from(await store.get(`${prefix}/${MANIFEST_NAME}`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rejects = (bytes: Buffer): boolean => {
  try {
    parseManifest(bytes.toString('utf8'), 'p');
    return false;
  } catch (err) {
    assert.ok(err instanceof CheckpointError, String(err));
    return true;
  }
};

test('the written manifest reads back, sealed', async () => {
  const m = parseManifest((await writtenManifest()).toString('utf8'), 'p');
  assert.match(m.manifestSha256 ?? '', /^[0-9a-f]{64}$/);
  assert.equal(m.learningRate, 1e-6);
});

test('every flipped byte of a manifest is detected (each position, eight masks)', async (t) => {
  const original = await writtenManifest();
  let tried = 0;
  const missed: string[] = [];
  for (let at = 0; at < original.length; at++) {
    for (const mask of MASKS) {
      const bytes = Buffer.from(original);
      bytes[at] ^= mask;
      tried++;
      if (!rejects(bytes)) missed.push(`byte ${at} ^ ${mask}`);
    }
  }
  assert.deepEqual(missed, []);
  t.diagnostic(JSON.stringify({ manifestBytes: original.length, flipsTried: tried, detected: tried - missed.length }));
});

test('every truncation of a manifest is detected', async () => {
  const original = await writtenManifest();
  for (let n = 0; n < original.length; n++) assert.ok(rejects(original.subarray(0, n)), `cut to ${n} bytes`);
});

test('a manifest damaged where its content stays valid names the damage', async () => {
  const text = (await writtenManifest()).toString('utf8').replace('"stageEndStep": 20', '"stageEndStep": 30');
  assert.throws(() => parseManifest(text, 'p'), /manifest at p is damaged: its text does not match its own sha256/);
});

test('a manifest written before the seal existed still reads', () => {
  const legacy = {
    version: 1,
    experiment: 'e',
    run: 'r',
    step: 3,
    stage: 's',
    configHash: 'b'.repeat(64),
    createdAt: '2026-01-01T00:00:00.000Z',
    files: [{ path: 'w.bin', sha256: 'c'.repeat(64), bytes: 4 }],
  };
  assert.equal(parseManifest(JSON.stringify(legacy), 'p').step, 3);
});
