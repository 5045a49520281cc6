/**
 * A sharded rollout samples what the whole batch samples (orchestration.rollout.shards): each shard keeps its prompts'
 * indices and pads them to the whole batch's longest prompt. On the wasm backend a row's numerics then do not depend
 * on the other rows, so tokens and log-probs are bit-identical; without the padding the log-probs move.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend } from '../../../engine/backend.ts';
import { initParams } from '../../../engine/model/init.ts';
import { generate, type Rollout } from '../../../engine/sampler.ts';
import { encodePrompt, microConfig, tokenizer } from './_helpers.ts';

await initBackend({ force: 'wasm' });
const config = microConfig();
const params = initParams(config, 21, { std: 0.3 });
// Different lengths, so a shard's own longest prompt is shorter than the batch's.
const prompts = ['3+4=', '12+45+6=', '7=', '100+2='].map(encodePrompt);
const opts = { maxNewTokens: 16, samplesPerPrompt: 3, seed: 5, step: 3 };

async function sharded(ranges: [number, number][], padToLength?: number): Promise<Rollout[]> {
  const out: Rollout[] = [];
  for (const [from, to] of ranges) {
    const pad = padToLength === undefined ? {} : { padToLength };
    out.push(
      ...(await generate(params, config, tokenizer, prompts.slice(from, to), {
        ...opts,
        promptIndexOffset: from,
        ...pad,
      }))
    );
  }
  return out;
}

test('shards padded to the batch’s longest prompt sample the whole batch’s tokens and log-probs, bit for bit', async () => {
  const whole = await generate(params, config, tokenizer, prompts, opts);
  const longest = Math.max(...prompts.map((p) => p.length));
  for (const ranges of [
    [
      [0, 2],
      [2, 4],
    ],
    [
      [0, 1],
      [1, 3],
      [3, 4],
    ],
  ] as [number, number][][]) {
    assert.deepEqual(await sharded(ranges, longest), whole, `shards ${JSON.stringify(ranges)}`);
  }
  // The control: padded only to their own longest prompt, the shards' log-probs differ in the last bits.
  const unpadded = await sharded([
    [0, 1],
    [1, 3],
    [3, 4],
  ]);
  assert.notDeepEqual(
    unpadded.map((r) => r.logprobs),
    whole.map((r) => r.logprobs)
  );
});

test('padToLength must be a whole number', async () => {
  await assert.rejects(
    generate(params, config, tokenizer, prompts, { ...opts, padToLength: 2.5 }),
    /padToLength must be a whole number/
  );
});
