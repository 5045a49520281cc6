/**
 * The per-worker policy cache (training/policy-store.ts) is keyed by version and hash: a worker holding the
 * snapshot a reference names (key, step, manifest sha256) serves it with no blob-store read; a snapshot replaced
 * under the same version is downloaded again, not served from memory; damaged bytes are detected on download and
 * downloaded again, and never loaded. A worker that only samples fetches the weights without the optimizer state,
 * and such a copy is never handed to training.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../../activities/run-context.ts';
import type { PolicyRef } from '../../../activities/types.ts';
import { initBackend } from '../../../engine/backend.ts';
import { Policy } from '../../../engine/policy.ts';
import type { BlobStore } from '../../../storage/blob-store.ts';
import { writeCheckpoint } from '../../../storage/checkpoints.ts';
import { openBlobStore } from '../../../storage/open.ts';
import { runKeys } from '../../../storage/run-layout.ts';
import { dropPolicy, fetchPolicy, policyFor, snapshotPolicy } from '../../../training/policy-store.ts';
import { minimal, valid } from '../schemas/minimal.ts';

const READS = new Set(['get', 'getStream', 'getToFile', 'head', 'list']);
let dir: string;
let reads: string[];
/** Keys whose next `get` delivers one byte flipped (a torn transfer). */
let tornOnce: Set<string>;
let ctx: RunContext;

/** The store with every read logged in `reads`, and the torn transfers of `tornOnce`. */
function watched(store: BlobStore): BlobStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (READS.has(String(prop))) reads.push(`${String(prop)} ${args[0]}`);
        const out = await value.apply(target, args);
        if (prop === 'get' && tornOnce.delete(String(args[0]))) {
          const bytes = Uint8Array.from(out as Uint8Array);
          bytes[bytes.length >> 1] ^= 0xff;
          return bytes;
        }
        return out;
      };
    },
  });
}

function micro(seed: number): Policy {
  return Policy.create({ preset: 'micro', tokenizer: { type: 'byte', tagTokens: [] }, seed, learningRate: 1e-3 });
}

/** The first trainable tensor's values: enough to tell two policies' weights apart. */
function weightsOf(p: Policy): number[] {
  const [, v] = [...p.params.entries()].find(([, x]) => x.trainable)!;
  return Array.from(v.dataSync());
}

/** Writes `policy` as the snapshot of its step without holding it (another writer replacing the version). */
async function replaceSnapshot(policy: Policy): Promise<PolicyRef> {
  const out = await mkdtemp(path.join(os.tmpdir(), 'oz-replace-'));
  try {
    const files = await policy.save(out, { configHash: ctx.run.configHash, extra: {} });
    const { prefix, manifest } = await writeCheckpoint(ctx.store, runKeys.policyRoot(), policy.step, files, {
      experiment: 'cache',
      run: 'r',
      stage: 'math',
      configHash: ctx.run.configHash,
    });
    return { step: policy.step, key: prefix, sha256: manifest.manifestSha256 };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

before(async () => {
  await initBackend({ force: process.env.OMNI_ZERO_BACKEND || 'cpu' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'oz-policy-cache-'));
  const base = pathToFileURL(dir).href;
  ctx = {
    run: { experiment: 'cache', runId: 'r', base, configHash: 'c'.repeat(64) },
    store: watched(openBlobStore(base)),
    config: valid({ ...minimal(), grpo: { learningRate: 1e-3 } }),
  };
  reads = [];
  tornOnce = new Set();
});
after(async () => {
  dropPolicy(ctx);
  await rm(dir, { recursive: true, force: true });
});

let first: { ref: PolicyRef; weights: number[] };

test('the worker that wrote a version holds it: serving it reads nothing from the store', async () => {
  const p = micro(1);
  const ref = await snapshotPolicy(ctx, p, 'math');
  assert.match(ref.sha256 ?? '', /^[0-9a-f]{64}$/, 'the reference carries the snapshot manifest sha256');
  first = { ref, weights: weightsOf(p) };
  reads = [];
  assert.equal(await policyFor(ctx, ref), p);
  assert.equal(await policyFor(ctx, ref), p);
  assert.deepEqual(reads, []);
});

test('another worker downloads a version once, then serves it with no read', async () => {
  dropPolicy(ctx);
  reads = [];
  const p = await policyFor(ctx, first.ref);
  assert.ok(
    reads.some((r) => r.startsWith('get ') && r.endsWith('model.safetensors')),
    reads.join('\n')
  );
  assert.deepEqual(weightsOf(p), first.weights);
  reads = [];
  assert.equal(await policyFor(ctx, first.ref), p);
  assert.deepEqual(reads, []);
});

test('a snapshot replaced under the same version is downloaded again, not served from memory', async () => {
  const replacement = micro(2);
  const ref = await replaceSnapshot(replacement);
  assert.equal(ref.key, first.ref.key);
  assert.equal(ref.step, first.ref.step);
  assert.notEqual(ref.sha256, first.ref.sha256);
  const theirs = weightsOf(replacement);
  assert.notDeepEqual(theirs, first.weights, 'the replacement has other weights');
  replacement.dispose();
  reads = [];
  const p = await policyFor(ctx, ref);
  assert.ok(reads.length > 0, 'the held copy (other hash) was not served');
  assert.deepEqual(weightsOf(p), theirs);
  // A reference to the old hash now names bytes that are gone: refused, not served from what the store holds.
  dropPolicy(ctx);
  await assert.rejects(policyFor(ctx, first.ref), /was replaced after the step's reference was made/);
  reads = [];
  assert.deepEqual(weightsOf(await policyFor(ctx, ref)), theirs);
  first = { ref, weights: theirs };
});

test('bytes damaged in transit are detected and downloaded again; the loaded weights are the right ones', async () => {
  dropPolicy(ctx);
  const weightsKey = `${first.ref.key}/model.safetensors`;
  tornOnce.add(weightsKey);
  reads = [];
  const p = await policyFor(ctx, first.ref);
  assert.equal(reads.filter((r) => r === `get ${weightsKey}`).length, 2, 'the torn file was fetched twice');
  assert.deepEqual(weightsOf(p), first.weights);
});

test('bytes damaged in the store fail the download after a few tries and are never loaded', async () => {
  dropPolicy(ctx);
  const weightsKey = `${first.ref.key}/model.safetensors`;
  const bytes = await ctx.store.get(weightsKey);
  const damaged = Uint8Array.from(bytes);
  damaged[damaged.length >> 1] ^= 0xff;
  await ctx.store.put(weightsKey, damaged);
  reads = [];
  await assert.rejects(policyFor(ctx, first.ref), /model\.safetensors .* fails its sha256 check/);
  assert.equal(reads.filter((r) => r === `get ${weightsKey}`).length, 3);
  // Nothing was held: the repaired snapshot is downloaded and served.
  await ctx.store.put(weightsKey, bytes);
  reads = [];
  assert.deepEqual(weightsOf(await policyFor(ctx, first.ref)), first.weights);
  assert.ok(reads.length > 0);
});

/** The first moment of the first parameter: zeros in a fresh optimizer. */
function firstMoment(p: Policy): number[] {
  const [name] = [...p.params.keys()];
  return Array.from(p.optimizer.state.moments.get(`${name}.m`)!.dataSync());
}

test('a sampling worker fetches the weights without the optimizer state; training then downloads the whole', async () => {
  const trained = micro(4);
  trained.step = 5;
  for (const [key, m] of trained.optimizer.state.moments) {
    trained.optimizer.state.moments.set(key, tf.fill(m.shape, 0.25));
    m.dispose();
  }
  const ref = await snapshotPolicy(ctx, trained, 'math');
  const weights = weightsOf(trained);
  dropPolicy(ctx);

  reads = [];
  const sampled = await fetchPolicy(ctx, ref, 'sampling');
  assert.equal(sampled.fetch.held, false);
  assert.ok(
    reads.some((r) => r.endsWith('/model.safetensors')),
    reads.join('\n')
  );
  assert.ok(!reads.some((r) => r.endsWith('/optimizer.safetensors')), `no optimizer read: ${reads.join('\n')}`);
  assert.deepEqual(weightsOf(sampled.policy), weights);

  reads = [];
  const again = await fetchPolicy(ctx, ref, 'sampling');
  assert.equal(again.policy, sampled.policy);
  assert.deepEqual(again.fetch, { held: true, downloadMs: 0, buildMs: 0 });
  assert.deepEqual(reads, []);

  reads = [];
  const forUpdate = await fetchPolicy(ctx, ref, 'training');
  assert.notEqual(forUpdate.policy, sampled.policy, 'the sampling copy (fresh moments) is not trained');
  assert.equal(forUpdate.fetch.held, false);
  assert.ok(
    reads.some((r) => r.endsWith('/optimizer.safetensors')),
    reads.join('\n')
  );
  assert.deepEqual(firstMoment(forUpdate.policy), new Array(firstMoment(forUpdate.policy).length).fill(0.25));
  assert.deepEqual(weightsOf(forUpdate.policy), weights);

  // A trainable copy serves sampling too, with no I/O.
  reads = [];
  assert.equal(await policyFor(ctx, ref, 'sampling'), forUpdate.policy);
  assert.deepEqual(reads, []);
});

test('a snapshot carrying a Hugging Face tokenizer is taken over, trained and written again', async () => {
  const withHf = Policy.create({
    preset: 'micro',
    tokenizer: { type: 'hf', path: path.resolve('test/fixtures/tokenizers/qwen-style-bpe') },
    seed: 6,
    learningRate: 1e-3,
  });
  withHf.step = 7;
  const ref = await snapshotPolicy(ctx, withHf, 'math');
  const weights = weightsOf(withHf);
  dropPolicy(ctx);
  const taken = await fetchPolicy(ctx, ref, 'sampling');
  assert.equal(taken.fetch.held, false);
  assert.equal(taken.policy.tokenizer.id, withHf.tokenizer.id);
  assert.deepEqual(taken.policy.tokenizer.encode('12+7'), withHf.tokenizer.encode('12+7'));
  assert.deepEqual(weightsOf(taken.policy), weights);
  // Trained elsewhere: the update's worker fetches it whole and writes the next version, tokenizer files included.
  dropPolicy(ctx);
  const trained = (await fetchPolicy(ctx, ref, 'training')).policy;
  trained.step += 1;
  const next = await snapshotPolicy(ctx, trained, 'math');
  dropPolicy(ctx);
  assert.equal((await policyFor(ctx, next, 'sampling')).tokenizer.id, withHf.tokenizer.id);
});
