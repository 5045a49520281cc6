import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { cloneParams, disposeParams, initParams } from '../../../engine/model/init.ts';
import { transposeFlagsAreFast } from '../../../engine/model/ops.ts';
import { forward, lmHead } from '../../../engine/model/transformer.ts';
import { generate } from '../../../engine/sampler.ts';
import { Adam } from '../../../engine/train/adam.ts';
import { grpoUpdate } from '../../../engine/train/grpo.ts';
import type { ModelConfig, Params } from '../../../engine/types.ts';
import { encodePrompt, microConfig, tokenizer } from './_helpers.ts';

const config = microConfig();
const prompts = ['3+4=', '12+5=', '7='].map(encodePrompt);
const base = { maxNewTokens: 12, samplesPerPrompt: 2, seed: 5, step: 1, eosId: -1 };
const greedy = { ...base, greedy: true };
const filtered = { ...base, temperature: 0.8, topP: 0.9, topK: 5 };

/** The same model with an explicit lm_head holding the embedding's transpose (the untied path). */
function untiedTwin(params: Params): { params: Params; config: ModelConfig } {
  const twin = cloneParams(params);
  const embed = twin.get('model.embed_tokens.weight')!;
  const head = embed.transpose();
  twin.set('lm_head.weight', tf.variable(head, false));
  head.dispose();
  return { params: twin, config: { ...config, tieWordEmbeddings: false } };
}

const tokens = async (params: Params, c: ModelConfig, o: typeof base) =>
  (await generate(params, c, tokenizer, prompts, o)).map((r) => r.tokens);

test('tied head: the same seeds give the tokens recorded before the head was cached', async () => {
  // Recorded from the per-token transpose (commit a48f06e), identical on the tensorflow, wasm and cpu backends.
  const params = initParams(config, 21, { std: 0.3 });
  assert.deepEqual(await tokens(params, config, greedy), [
    [1, 16, 2, 16, 16, 16, 16, 16, 16, 2, 2, 16],
    [1, 16, 2, 16, 16, 16, 16, 16, 16, 2, 2, 16],
    [16, 16, 2, 12, 13, 7, 7, 7, 7, 7, 7, 7],
    [16, 16, 2, 12, 13, 7, 7, 7, 7, 7, 7, 7],
    [3, 8, 2, 1, 6, 3, 13, 13, 11, 11, 14, 10],
    [3, 8, 2, 1, 6, 3, 13, 13, 11, 11, 14, 10],
  ]);
  assert.deepEqual(await tokens(params, config, filtered), [
    [1, 13, 10, 10, 6, 2, 9, 13, 10, 10, 10, 6],
    [6, 5, 14, 16, 6, 13, 11, 14, 13, 11, 0, 9],
    [2, 7, 13, 3, 12, 15, 0, 0, 0, 0, 0, 3],
    [2, 10, 10, 10, 12, 12, 12, 3, 1, 3, 8, 13],
    [2, 15, 11, 4, 6, 3, 8, 6, 3, 8, 0, 0],
    [3, 6, 7, 7, 7, 7, 7, 13, 11, 7, 7, 7],
  ]);
  disposeParams(params);
});

test('tied head: the head follows a training step (same tokens and logits as the untied path after it)', async () => {
  const params = initParams(config, 21, { std: 0.3 });
  const before = await tokens(params, config, filtered);
  const hidden = tf.tidy(() => forward(params, config, { ids: [prompts[0]] }).hidden);
  const logitsBefore = tf.tidy(() => lmHead(params, config, hidden));

  const rollouts = await generate(params, config, tokenizer, prompts, filtered);
  const samples = rollouts.map((r, i) => ({
    prompt: prompts[r.promptIndex],
    response: r.tokens,
    advantage: i % 2 === 0 ? 1 : -1,
  }));
  grpoUpdate(params, config, new Adam(params, { learningRate: 0.05 }), samples);

  // The step changed the embedding enough to change the sampled tokens...
  const after = await tokens(params, config, filtered);
  assert.notDeepEqual(after, before);
  // ...and the tied head uses the new embedding: logits and tokens equal those of an explicit transpose of it.
  const twin = untiedTwin(params);
  assert.deepEqual(after, await tokens(twin.params, twin.config, filtered));
  assert.deepEqual(await tokens(params, config, greedy), await tokens(twin.params, twin.config, greedy));
  const logitsAfter = tf.tidy(() => lmHead(params, config, hidden));
  const expected = tf.tidy(() => lmHead(twin.params, twin.config, hidden));
  assert.ok(tf.tidy(() => logitsAfter.sub(logitsBefore).abs().max().dataSync()[0]) > 1e-2, 'the logits moved');
  assert.ok(tf.tidy(() => logitsAfter.sub(expected).abs().max().dataSync()[0]) < 1e-5, 'tied = untied logits');
  tf.dispose([hidden, logitsBefore, logitsAfter, expected]);
  disposeParams(twin.params);
  disposeParams(params);
});

test('tied head: a newly assigned embedding (a loaded checkpoint) replaces the head; disposing frees it', async () => {
  const start = tf.memory().numTensors;
  const params = initParams(config, 21, { std: 0.3 });
  const other = initParams(config, 22, { std: 0.3 });
  const original = await tokens(params, config, filtered);
  params.get('model.embed_tokens.weight')!.assign(other.get('model.embed_tokens.weight')!);
  const twin = untiedTwin(params);
  const reloaded = await tokens(params, config, filtered);
  assert.notDeepEqual(reloaded, original);
  assert.deepEqual(reloaded, await tokens(twin.params, twin.config, filtered));
  disposeParams(twin.params);
  disposeParams(other);
  const held = tf.memory().numTensors;
  const count = params.size;
  disposeParams(params);
  // Native TensorFlow multiplies by the embedding with transposeB and caches no head; other backends keep one copy.
  const cachedHeads = transposeFlagsAreFast() ? 0 : 1;
  assert.equal(held - tf.memory().numTensors, count + cachedHeads, 'a cached head goes with its parameters');
  assert.equal(tf.memory().numTensors, start, 'no tensor outlives its parameters');
});
