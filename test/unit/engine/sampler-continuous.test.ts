/**
 * Continuous batching (`batchRows`): at most B rows decode at once and queued rows join as others finish, yet every
 * row samples exactly the tokens and log-probs of one static batch. Masked keys add exact zeros, so on the cpu
 * backend the extra left padding of a late row changes nothing: log-probs are compared bit for bit there. On wasm
 * (sampler-continuous-wasm.test.ts runs this file there) the padding moves log-probs in the last bits: tokens are
 * compared exactly and log-probs to 1e-5.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../engine/backend.ts';
import { initParams } from '../../../engine/model/init.ts';
import { type GenerateOptions, generate } from '../../../engine/sampler.ts';
import { encodePrompt, microConfig, tokenizer } from './_helpers.ts';

const backend = await initBackend({ force: process.env.CONTINUOUS_BACKEND ?? 'cpu' });
const exact = backend.name === 'cpu';
const config = microConfig();
const params = initParams(config, 21, { std: 0.3 });
// Different prompt lengths, so late rows join with padding other than their static one.
const prompts = ['3+4=', '12+45+6=', '7=', '100+2=', '9+9='].map(encodePrompt);
// Two likely stop tokens end rows after a few to a few dozen tokens: lengths spread between 1 and the window.
const stopSequences = [[tokenizer.encode('1')[0]], [tokenizer.encode('=')[0]]];
const opts: GenerateOptions = { maxNewTokens: 40, samplesPerPrompt: 3, seed: 8, step: 2, stopSequences, eosId: -1 };

async function run(o: GenerateOptions) {
  let steps = 0;
  const out = await generate(params, config, tokenizer, prompts, { ...o, onStep: () => steps++ });
  return { out, steps };
}

test('rows of mixed lengths sample the same tokens and log-probs whatever the batch size', async () => {
  const whole = await run(opts);
  const lengths = whole.out.map((r) => r.tokens.length);
  assert.ok(Math.min(...lengths) < 5 && Math.max(...lengths) >= 20, `lengths must spread, got ${lengths}`);
  for (const batchRows of [1, 2, 4, 7, 14, 15, 64]) {
    const cont = await run({ ...opts, batchRows });
    assert.deepEqual(
      cont.out.map((r) => [r.promptIndex, r.sampleIndex, r.finishReason, r.tokens]),
      whole.out.map((r) => [r.promptIndex, r.sampleIndex, r.finishReason, r.tokens]),
      `tokens with batchRows ${batchRows}`
    );
    if (exact)
      assert.deepEqual(
        cont.out.map((r) => r.logprobs),
        whole.out.map((r) => r.logprobs),
        `log-probs with batchRows ${batchRows}`
      );
    cont.out.forEach((r, i) => {
      r.logprobs.forEach((lp, t) => {
        assert.ok(Math.abs(lp - whole.out[i].logprobs[t]) < 1e-5, `batchRows ${batchRows}, row ${i}, token ${t}`);
      });
    });
    // Fewer rows at once really ran the rows in waves: one at a time takes one step per token of every row.
    if (batchRows === 1)
      assert.equal(
        cont.steps,
        lengths.reduce((a, b) => a + b, 0)
      );
    if (batchRows <= 4) assert.ok(cont.steps > whole.steps, `batchRows ${batchRows}: ${cont.steps} steps`);
    if (batchRows >= whole.out.length) assert.equal(cont.steps, whole.steps);
  }
  assert.equal(whole.steps, Math.max(...lengths));
});

test('rows joining, leaving and trimmed padding leave no tensors behind', async () => {
  await run({ ...opts, batchRows: 4 });
  const before = tf.memory().numTensors;
  await run({ ...opts, batchRows: 4 });
  await run({ ...opts, batchRows: 7 });
  assert.equal(tf.memory().numTensors, before);
});

test('a different seed changes the tokens under continuous batching too', async () => {
  const a = await run({ ...opts, batchRows: 4 });
  const b = await run({ ...opts, batchRows: 4, seed: 9 });
  assert.notDeepEqual(
    a.out.map((r) => r.tokens),
    b.out.map((r) => r.tokens)
  );
});

test('batchRows must be a positive integer and needs the KV cache', async () => {
  for (const batchRows of [0, 1.5, -2]) {
    await assert.rejects(generate(params, config, tokenizer, prompts, { ...opts, batchRows }), /batchRows must be/);
  }
  await assert.rejects(
    generate(params, config, tokenizer, prompts, { ...opts, batchRows: 2, mode: 'recompute' }),
    /batchRows needs the KV cache/
  );
});
