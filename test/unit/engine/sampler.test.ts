import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initParams } from '../../../engine/model/init.ts';
import { generate } from '../../../engine/sampler.ts';
import { encodePrompt, microConfig, tokenizer } from './_helpers.ts';

const config = microConfig();
// std 0.3: a random model whose distributions are far from uniform, so sampling choices are not all ties.
const params = initParams(config, 21, { std: 0.3 });
const prompts = ['3+4=', '12+5=', '7='].map(encodePrompt);

test('KV cache and full recomputation give identical tokens and log-probs (same seed)', async () => {
  const opts = { maxNewTokens: 24, samplesPerPrompt: 3, seed: 9, step: 2 };
  const kv = await generate(params, config, tokenizer, prompts, { ...opts, mode: 'kv' });
  const full = await generate(params, config, tokenizer, prompts, { ...opts, mode: 'recompute' });
  assert.equal(kv.length, 9);
  assert.deepEqual(
    kv.map((r) => r.tokens),
    full.map((r) => r.tokens)
  );
  kv.forEach((r, i) => {
    r.logprobs.forEach((lp, t) => {
      assert.ok(Math.abs(lp - full[i].logprobs[t]) < 1e-4, `row ${i} token ${t}`);
    });
  });
  assert.ok(
    kv.some((r) => r.tokens.length > 3),
    'some rows must run several tokens'
  );
});

test('a retried rollout reproduces the same tokens; another step or seed does not', async () => {
  const opts = { maxNewTokens: 16, samplesPerPrompt: 4, seed: 3, step: 5 };
  const a = await generate(params, config, tokenizer, prompts, opts);
  const b = await generate(params, config, tokenizer, prompts, opts);
  assert.deepEqual(a, b);
  const c = await generate(params, config, tokenizer, prompts, { ...opts, step: 6 });
  assert.notDeepEqual(
    a.map((r) => r.tokens),
    c.map((r) => r.tokens)
  );
  // The G samples of one prompt differ from each other (their own streams).
  assert.ok(new Set(a.slice(0, 4).map((r) => r.tokens.join())).size > 1);
});

test('a prompt samples the same tokens alone as inside a bigger batch (keys, not batch position)', async () => {
  const opts = { maxNewTokens: 16, samplesPerPrompt: 2, seed: 4 };
  const together = await generate(params, config, tokenizer, prompts, opts);
  const alone = await generate(params, config, tokenizer, [prompts[1]], { ...opts, promptIndexOffset: 1 });
  assert.deepEqual(
    alone.map((r) => [r.promptIndex, r.sampleIndex, r.tokens]),
    together.filter((r) => r.promptIndex === 1).map((r) => [r.promptIndex, r.sampleIndex, r.tokens])
  );
});

test('promptKeys seed a prompt by its key: same draws at any position of any batch', async () => {
  const opts = { maxNewTokens: 16, samplesPerPrompt: 2, seed: 4, step: 7 };
  const keys = [901, 17, 4242];
  const all = await generate(params, config, tokenizer, prompts, { ...opts, promptKeys: keys });
  // Prompt 2 first and alone in another batch: its key, not its index, picks the draws.
  const moved = await generate(params, config, tokenizer, [prompts[2], prompts[0]], {
    ...opts,
    promptKeys: [keys[2], keys[0]],
  });
  const tokensOf = (rs: typeof all, p: number) => rs.filter((r) => r.promptIndex === p).map((r) => r.tokens);
  assert.deepEqual(tokensOf(moved, 0), tokensOf(all, 2));
  assert.deepEqual(tokensOf(moved, 1), tokensOf(all, 0));
  await assert.rejects(
    generate(params, config, tokenizer, prompts, { ...opts, promptKeys: [1] }),
    /promptKeys has 1 keys for 3 prompts/
  );
});

test('top-k = 1 and a tiny top-p both equal greedy decoding', async () => {
  const base = { maxNewTokens: 12, samplesPerPrompt: 2, seed: 1 };
  const greedy = await generate(params, config, tokenizer, prompts, { ...base, greedy: true });
  const topK = await generate(params, config, tokenizer, prompts, { ...base, topK: 1 });
  const topP = await generate(params, config, tokenizer, prompts, { ...base, topP: 1e-6 });
  const tokens = (rs: typeof greedy) => rs.map((r) => r.tokens);
  assert.deepEqual(tokens(topK), tokens(greedy));
  assert.deepEqual(tokens(topP), tokens(greedy));
  // Greedy rows of the same prompt are identical.
  assert.deepEqual(greedy[0].tokens, greedy[1].tokens);
});

test('stops: EOS, a stop token sequence, a stop string, and the window (truncated)', async () => {
  const base = { samplesPerPrompt: 1, greedy: true, eosId: -1 };
  const [free] = await generate(params, config, tokenizer, [prompts[0]], { ...base, maxNewTokens: 12 });
  assert.equal(free.tokens.length, 12);
  assert.equal(free.finishReason, 'length');
  assert.equal(free.truncated, true);
  const stopAt = (seq: number[]) => {
    for (let end = seq.length - 1; end < free.tokens.length; end++) {
      if (free.tokens.slice(end - seq.length + 1, end + 1).join() === seq.join()) return end + 1;
    }
    return -1;
  };
  const seq = free.tokens.slice(4, 6);
  const [bySeq] = await generate(params, config, tokenizer, [prompts[0]], {
    ...base,
    maxNewTokens: 12,
    stopSequences: [seq],
  });
  assert.equal(bySeq.finishReason, 'stop');
  assert.equal(bySeq.truncated, false);
  assert.deepEqual(bySeq.tokens, free.tokens.slice(0, stopAt(seq)));
  const [byString] = await generate(params, config, tokenizer, [prompts[0]], {
    ...base,
    maxNewTokens: 12,
    stopStrings: [tokenizer.decode(seq)],
  });
  assert.equal(byString.finishReason, 'stop');
  assert.ok(byString.text.endsWith(tokenizer.decode(seq)));
  assert.ok(byString.tokens.length <= stopAt(seq));
  const eos = free.tokens[3];
  const [byEos] = await generate(params, config, tokenizer, [prompts[0]], { ...base, maxNewTokens: 12, eosId: eos });
  assert.equal(byEos.finishReason, 'eos');
  assert.equal(byEos.tokens.at(-1), eos);
  assert.equal(byEos.text, tokenizer.decode(byEos.tokens.slice(0, -1)));
  const [short] = await generate(params, config, tokenizer, [prompts[0]], { ...base, maxNewTokens: 3 });
  assert.deepEqual(short.tokens, free.tokens.slice(0, 3));
  assert.equal(short.truncated, true);
});

test('bad requests fail with a message that says what to fix', async () => {
  await assert.rejects(generate(params, config, tokenizer, [[]], { maxNewTokens: 4 }), /prompt 0 is empty/);
  await assert.rejects(generate(params, config, tokenizer, [[999]], { maxNewTokens: 4 }), /token id 999 outside/);
  await assert.rejects(generate(params, config, tokenizer, prompts, { maxNewTokens: 0 }), /maxNewTokens must be/);
});

test('a long generation yields to the event loop (timers fire while it runs, so heartbeats are sent)', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  try {
    const started = performance.now();
    await generate(params, config, tokenizer, prompts, { maxNewTokens: 64, samplesPerPrompt: 16, seed: 1 });
    const ms = performance.now() - started;
    // Only meaningful if the generation lasted several yield periods (20 ms).
    assert.ok(ms > 60, `generation took ${ms.toFixed(0)} ms; make it longer`);
    assert.ok(ticks >= 2, `a 1 ms timer fired ${ticks} times during ${ms.toFixed(0)} ms of generation`);
  } finally {
    clearInterval(timer);
  }
});
