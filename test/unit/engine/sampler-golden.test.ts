/**
 * Golden rollouts: exact tokens (and log-probs to float32 noise) for fixed seeds, identical on the tensorflow and wasm
 * backends, so a faster decoding path that changes what is sampled fails here. Three shapes cover the
 * paths: Qwen2 (q/k/v biases, tied head), Qwen3 (q/k norms, untied head), plain and filtered sampling, left padding,
 * rows that finish early (EOS) and leave the batch, and top-k over a vocabulary wide enough for backend candidates
 * (its golden values come from the engine before candidates existed, which copied whole rows).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { disposeParams, initParams } from '../../../engine/model/init.ts';
import { type GenerateOptions, generate } from '../../../engine/sampler.ts';
import type { ModelConfig, Tokenizer } from '../../../engine/types.ts';
import { tokenizer as chars, encodePrompt, microConfig } from './_helpers.ts';

const VOCAB = 400;
/** Wide enough for top-k 20 to come from the backend as candidates (engine/logits-processing.ts). */
const WIDE_VOCAB = 2048;
/** The toy tokenizer over a larger vocabulary: ids past its own decode to nothing. */
const widened = (vocabSize: number): Tokenizer => ({
  ...chars,
  id: chars.id,
  vocabSize,
  bosId: chars.bosId,
  eosId: chars.eosId,
  padId: chars.padId,
  encode: (t) => chars.encode(t),
  decode: (ids) => chars.decode(ids.filter((id) => id < chars.vocabSize)),
});
const qwen2 = microConfig({ vocabSize: VOCAB });
const qwen2Wide = microConfig({ vocabSize: WIDE_VOCAB });
const qwen3 = microConfig({ vocabSize: VOCAB, qkvBias: false, qkNorm: true, tieWordEmbeddings: false });
const prompts = ['3+4=', '12+5=', '7=', '100+23='].map(encodePrompt);
const plain: GenerateOptions = { maxNewTokens: 40, samplesPerPrompt: 2, seed: 11, step: 3, eosId: -1 };
const filtered: GenerateOptions = { ...plain, temperature: 0.7, topP: 0.8, topK: 20, eosId: 298 };

async function fingerprint(config: ModelConfig, options: GenerateOptions, seed = 4) {
  const params = initParams(config, seed, { std: 0.5 });
  const out = await generate(params, config, widened(config.vocabSize), prompts, options);
  disposeParams(params);
  const tokens = out.map((r) => r.tokens);
  return {
    tokens: createHash('sha256').update(JSON.stringify(tokens)).digest('hex').slice(0, 16),
    lengths: tokens.map((t) => t.length),
    logprobSum: out.reduce((s, r) => s + r.logprobs.reduce((a, b) => a + b, 0), 0),
  };
}

const cases: [string, ModelConfig, GenerateOptions, { tokens: string; lengths: number[]; logprobSum: number }][] = [
  [
    'qwen2 shape, plain sampling',
    qwen2,
    plain,
    { tokens: '0556aa712ade49ef', lengths: [40, 40, 40, 40, 40, 40, 40, 40], logprobSum: -737.9064 },
  ],
  [
    'qwen2 shape, T 0.7 / top-p 0.8 / top-k 20, EOS',
    qwen2,
    filtered,
    { tokens: '6b6231d5d8854e6d', lengths: [19, 2, 7, 40, 19, 3, 8, 40], logprobSum: -115.2978 },
  ],
  [
    'qwen3 shape (q/k norm, untied), filtered',
    qwen3,
    { ...filtered, eosId: -1 },
    { tokens: '3cdb2199b2065507', lengths: [40, 40, 40, 40, 40, 40, 40, 40], logprobSum: -306.2146 },
  ],
  [
    'qwen2 shape, 2048 ids, filtered (top-k candidates from the backend)',
    qwen2Wide,
    filtered,
    { tokens: '435501d75f45f3d3', lengths: [40, 40, 40, 40, 40, 40, 40, 40], logprobSum: -330.4711 },
  ],
];

for (const [name, config, options, golden] of cases) {
  test(`golden rollout: ${name}`, async () => {
    const got = await fingerprint(config, options);
    assert.equal(got.tokens, golden.tokens);
    assert.deepEqual(got.lengths, golden.lengths);
    assert.ok(Math.abs(got.logprobSum - golden.logprobSum) < 1e-3, `log-prob sum ${got.logprobSum}`);
    // The fingerprint tells seeds apart: another init gives other tokens.
    assert.notEqual((await fingerprint(config, options, 5)).tokens, golden.tokens);
  });
}
