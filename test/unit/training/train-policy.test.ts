/**
 * Training a held policy (training/train-policy.ts): an attempt aborted while it trains writes no snapshot and drops
 * the policy it mutated, so the next attempt downloads the untouched version; a step another attempt already settled
 * is not written again; and two attempts under the run lock never train the same in-memory policy object.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { initBackend } from '../../../engine/backend.ts';
import { Policy } from '../../../engine/policy.ts';
import type { BlobStore } from '../../../storage/blob-store.ts';
import { openBlobStore } from '../../../storage/open.ts';
import {
  dropPolicy,
  type PolicyRef,
  type PolicyRun,
  policyFor,
  snapshotPolicy,
} from '../../../training/policy-store.ts';
import { withRunLock } from '../../../training/run-lock.ts';
import { trainAndSnapshot } from '../../../training/train-policy.ts';
import { minimal, valid } from '../schemas/minimal.ts';

let dir: string;
let ctx: PolicyRun;
let downloads: number;
let base: { ref: PolicyRef; weights: number[] };

/** The store, counting the snapshot files it hands out (a download, not a policy held in memory). */
function counted(store: BlobStore): BlobStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'get')
        return (...args: [string]) => {
          downloads++;
          return value.apply(target, args);
        };
      return value.bind(target);
    },
  });
}

function weightsOf(p: Policy): number[] {
  const [, v] = [...p.params.entries()].find(([, x]) => x.trainable)!;
  return Array.from(v.dataSync());
}

/** One real GRPO update of `policy` (its weights move and its step advances). */
async function trainOnce(policy: Policy): Promise<number> {
  const samples = [1, -1].map((advantage, i) => ({ prompt: [1, 2, 3 + i], response: [4, 5, 6], advantage }));
  return (await policy.train(samples, { learningRate: 1e-2, microBatchSize: 1 })).loss;
}

async function snapshotKeys(): Promise<string[]> {
  return (await ctx.store.list('policy/')).map((b) => b.key).filter((k) => k.endsWith('manifest.json'));
}

before(async () => {
  await initBackend({ force: process.env.OMNI_ZERO_BACKEND || 'cpu' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'oz-train-policy-'));
  const uri = pathToFileURL(dir).href;
  ctx = {
    run: { experiment: 'train', runId: 'r', base: uri, configHash: 'c'.repeat(64) },
    store: counted(openBlobStore(uri)),
    config: valid({ ...minimal(), grpo: { learningRate: 1e-2 } }),
  };
  const p = Policy.create({ preset: 'micro', tokenizer: { type: 'byte', tagTokens: [] }, seed: 1, learningRate: 1e-2 });
  base = { ref: await snapshotPolicy(ctx, p, 'math'), weights: weightsOf(p) };
});
beforeEach(() => {
  downloads = 0;
});
after(async () => {
  dropPolicy(ctx);
  await rm(dir, { recursive: true, force: true });
});

test('an attempt aborted while training writes no snapshot and drops the policy it mutated', async () => {
  const held = await policyFor(ctx, base.ref);
  assert.equal(downloads, 0, 'the writer holds the base version');
  const abandoned = new AbortController();
  const reason = new Error('heartbeat timed out: attempt abandoned');
  let mutated: number[] = [];
  await assert.rejects(
    trainAndSnapshot(
      ctx,
      base.ref,
      async (policy) => {
        assert.equal(policy, held);
        await trainOnce(policy);
        mutated = weightsOf(policy);
        abandoned.abort(reason); // the cancellation lands while the update runs
      },
      { stage: 'math', signal: abandoned.signal }
    ),
    (err) => err === reason
  );
  assert.notDeepEqual(mutated, base.weights, 'the abandoned attempt did move the weights');
  assert.deepEqual(await snapshotKeys(), [`${base.ref.key}/manifest.json`], 'no snapshot of step 1');
  const next = await policyFor(ctx, base.ref);
  assert.notEqual(next, held, 'the mutated policy is no longer held');
  assert.ok(downloads > 0, 'the next attempt downloads the version');
  assert.equal(next.step, 0);
  assert.deepEqual(weightsOf(next), base.weights);
});

test('a step another attempt settled is not written again, and the trained policy is dropped', async () => {
  const held = await policyFor(ctx, base.ref);
  const out = await trainAndSnapshot(ctx, base.ref, trainOnce, {
    stage: 'math',
    signal: new AbortController().signal,
    settled: async () => true,
  });
  assert.equal(out, null);
  assert.equal(held.step, 1, 'it did train');
  assert.deepEqual(await snapshotKeys(), [`${base.ref.key}/manifest.json`]);
  downloads = 0;
  assert.notEqual(await policyFor(ctx, base.ref), held);
  assert.ok(downloads > 0);
});

test('a completed attempt writes the snapshot of the new step and holds it', async () => {
  const out = await trainAndSnapshot(ctx, base.ref, trainOnce, { stage: 'math', signal: new AbortController().signal });
  assert.ok(out);
  assert.equal(out.policy.step, 1);
  assert.ok(Number.isFinite(out.trained));
  downloads = 0;
  const held = await policyFor(ctx, out.policy);
  assert.equal(downloads, 0, 'the new version is held, not downloaded');
  assert.notDeepEqual(weightsOf(held), base.weights);
  dropPolicy(ctx);
});

test('two attempts of one step under the run lock never train the same policy object', async () => {
  const trainedBy: Policy[] = [];
  let inside = 0;
  const attempt = () =>
    withRunLock(ctx.run.base, () =>
      trainAndSnapshot(
        ctx,
        base.ref,
        async (policy) => {
          inside++;
          assert.equal(inside, 1, 'one attempt trains at a time');
          assert.equal(policy.step, 0, 'each attempt starts from the version it names, not a moved-on copy');
          trainedBy.push(policy);
          const loss = await trainOnce(policy);
          inside--;
          return loss;
        },
        { stage: 'math', signal: new AbortController().signal }
      )
    );
  const [a, b] = await Promise.all([attempt(), attempt()]);
  assert.equal(trainedBy.length, 2);
  assert.notEqual(trainedBy[0], trainedBy[1], 'the second attempt got its own copy of the base version');
  assert.equal(a?.policy.step, 1);
  assert.equal(b?.policy.step, 1);
  dropPolicy(ctx);
});
