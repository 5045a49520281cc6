import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { initBackend } from '../../../engine/backend.ts';
import { loadCheckpoint, saveCheckpoint, transpose2d } from '../../../engine/checkpoint/checkpoint.ts';
import { bf16ToF32, f32ToBf16 } from '../../../engine/checkpoint/float16.ts';
import { fromHfConfig, toHfConfig } from '../../../engine/checkpoint/hf-config.ts';
import { readSafetensorsFile, writeSafetensorsFile } from '../../../engine/checkpoint/safetensors.ts';
import { disposeParams, initParams } from '../../../engine/model/init.ts';
import { forward, lmHead } from '../../../engine/model/transformer.ts';
import { ByteTokenizer } from '../../../engine/tokenizer/byte.ts';
import { HfTokenizer } from '../../../engine/tokenizer/hf.ts';
import type { CheckpointMetadata, ModelConfig, OptimizerState, Params } from '../../../engine/types.ts';
import { qwen2TinyConfig } from './_helpers.ts';

await initBackend();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-checkpoint-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const QWEN2_TINY = qwen2TinyConfig();
/** Qwen3-shaped (q/k norm, no bias) with an untied head and head_dim ≠ hidden/heads. */
const QWEN3_TINY: ModelConfig = { ...QWEN2_TINY, headDim: 6, tieWordEmbeddings: false, qkvBias: false, qkNorm: true };

function metadataFor(model: ModelConfig, tokenizer: string, step = 12): CheckpointMetadata {
  return { step, seed: 7, configHash: 'c0ffee', tokenizer, model, extra: { stage: 1, cursor: { offset: 96 } } };
}

function values(p: Params | Map<string, tf.Tensor>): Map<string, number[]> {
  return new Map([...p].map(([k, v]) => [k, Array.from(v.dataSync())]));
}

/** Adam moments with the parameters' shapes and values that differ per tensor. */
function momentsFor(params: Params, step: number): OptimizerState {
  const moments = new Map<string, tf.Tensor>();
  for (const [name, p] of params) {
    moments.set(`${name}.m`, tf.mul(p, 0.5));
    moments.set(`${name}.v`, tf.square(p));
  }
  return { step, moments };
}

test('config.json for the Qwen2.5-0.5B shape carries the fields transformers reads', () => {
  const hf = toHfConfig(
    {
      vocabSize: 151936,
      hiddenSize: 896,
      numLayers: 24,
      numHeads: 14,
      numKvHeads: 2,
      headDim: 64,
      intermediateSize: 4864,
      maxPositions: 32768,
      ropeTheta: 1000000,
      rmsNormEps: 1e-6,
      tieWordEmbeddings: true,
      qkvBias: true,
      qkNorm: false,
    },
    { eosTokenId: 151643, bosTokenId: 151643 }
  );
  assert.deepEqual(
    {
      architectures: hf.architectures,
      model_type: hf.model_type,
      hidden_size: hf.hidden_size,
      num_hidden_layers: hf.num_hidden_layers,
      num_attention_heads: hf.num_attention_heads,
      num_key_value_heads: hf.num_key_value_heads,
      head_dim: hf.head_dim,
      intermediate_size: hf.intermediate_size,
      max_position_embeddings: hf.max_position_embeddings,
      rope_theta: hf.rope_theta,
      rms_norm_eps: hf.rms_norm_eps,
      tie_word_embeddings: hf.tie_word_embeddings,
      vocab_size: hf.vocab_size,
      hidden_act: hf.hidden_act,
      use_sliding_window: hf.use_sliding_window,
      eos_token_id: hf.eos_token_id,
    },
    {
      architectures: ['Qwen2ForCausalLM'],
      model_type: 'qwen2',
      hidden_size: 896,
      num_hidden_layers: 24,
      num_attention_heads: 14,
      num_key_value_heads: 2,
      head_dim: 64,
      intermediate_size: 4864,
      max_position_embeddings: 32768,
      rope_theta: 1000000,
      rms_norm_eps: 1e-6,
      tie_word_embeddings: true,
      vocab_size: 151936,
      hidden_act: 'silu',
      use_sliding_window: false,
      eos_token_id: 151643,
    }
  );
  assert.equal('attention_bias' in hf, false, 'Qwen2 always has q/k/v bias; its config has no switch');
});

test("a published Qwen3 config.json (Qwen3-4B's) converts to the engine's shape", () => {
  const qwen3_4b = {
    architectures: ['Qwen3ForCausalLM'],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 151643,
    eos_token_id: 151645,
    head_dim: 128,
    hidden_act: 'silu',
    hidden_size: 2560,
    initializer_range: 0.02,
    intermediate_size: 9728,
    max_position_embeddings: 262144,
    max_window_layers: 36,
    model_type: 'qwen3',
    num_attention_heads: 32,
    num_hidden_layers: 36,
    num_key_value_heads: 8,
    rms_norm_eps: 1e-6,
    rope_scaling: null,
    rope_theta: 5000000,
    sliding_window: null,
    tie_word_embeddings: true,
    torch_dtype: 'bfloat16',
    transformers_version: '4.51.0',
    use_cache: true,
    use_sliding_window: false,
    vocab_size: 151936,
  };
  assert.deepEqual(fromHfConfig(qwen3_4b), {
    vocabSize: 151936,
    hiddenSize: 2560,
    numLayers: 36,
    numHeads: 32,
    numKvHeads: 8,
    headDim: 128,
    intermediateSize: 9728,
    maxPositions: 262144,
    ropeTheta: 5000000,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    qkvBias: false,
    qkNorm: true,
  });
  // Qwen2 configs have no head_dim: it is hidden_size / num_attention_heads (896 / 14 = 64).
  const { head_dim: _drop, ...qwen2 } = toHfConfig({ ...QWEN2_TINY, hiddenSize: 896, numHeads: 14, headDim: 64 });
  assert.equal(fromHfConfig(qwen2).headDim, 64);
});

test('property: fromHfConfig(toHfConfig(c)) gives c back for every architecture switch', () => {
  const configArb = fc.record({
    vocabSize: fc.integer({ min: 1, max: 200_000 }),
    hiddenSize: fc.integer({ min: 1, max: 8192 }),
    numLayers: fc.integer({ min: 1, max: 96 }),
    numHeads: fc.integer({ min: 1, max: 64 }),
    numKvHeads: fc.integer({ min: 1, max: 64 }),
    headDim: fc.integer({ min: 1, max: 256 }),
    intermediateSize: fc.integer({ min: 1, max: 30_000 }),
    maxPositions: fc.integer({ min: 1, max: 1 << 20 }),
    ropeTheta: fc.double({ min: 1, max: 1e8, noNaN: true }),
    rmsNormEps: fc.double({ min: 1e-12, max: 1e-2, noNaN: true }),
    tieWordEmbeddings: fc.boolean(),
    qkvBias: fc.boolean(),
    qkNorm: fc.boolean(),
  });
  fc.assert(
    fc.property(configArb, (c) => {
      assert.deepEqual(fromHfConfig(JSON.parse(JSON.stringify(toHfConfig(c)))), { ...c });
    })
  );
});

test('config.json features the engine does not implement are refused by name', () => {
  const base = toHfConfig(QWEN2_TINY);
  assert.throws(() => fromHfConfig({ ...base, model_type: 'mistral' }), /model_type "mistral" is not supported/);
  assert.throws(() => fromHfConfig({ ...base, hidden_act: 'gelu' }), /hidden_act 'gelu'/);
  assert.throws(() => fromHfConfig({ ...base, rope_scaling: { type: 'yarn', factor: 4 } }), /RoPE scaling 'yarn'/);
  assert.throws(() => fromHfConfig({ ...base, use_sliding_window: true }), /use_sliding_window/);
  assert.throws(() => fromHfConfig({ ...base, hidden_size: undefined }), /'hidden_size' must be a positive integer/);
  // transformers 5 keeps rope_theta inside rope_parameters.
  const { rope_theta: _t, ...v5 } = base;
  assert.equal(fromHfConfig({ ...v5, rope_parameters: { rope_type: 'default', rope_theta: 5e5 } }).ropeTheta, 5e5);
});

test('save → load gives identical weights, Adam state, metadata and tokenizer; the file list has true sizes and hashes', async () => {
  for (const config of [QWEN2_TINY, QWEN3_TINY]) {
    const dir = path.join(tmp, `roundtrip-${config.qkNorm ? 'qwen3' : 'qwen2'}`);
    const tokenizer = new ByteTokenizer({ tagTokens: ['<think>', '</think>'] });
    const params = initParams(config, 3);
    const optimizer = momentsFor(params, 12);
    const metadata = metadataFor(config, tokenizer.id);
    const files = await saveCheckpoint(dir, { params, metadata, optimizer, tokenizer });
    assert.deepEqual(
      files.map((f) => f.path),
      ['config.json', 'model.safetensors', 'omni.json', 'optimizer.safetensors', 'tokenizer.omni.json']
    );
    for (const f of files) {
      const bytes = readFileSync(path.join(dir, f.path));
      assert.equal(f.bytes, bytes.length);
      assert.equal(f.sha256, createHash('sha256').update(bytes).digest('hex'));
      assert.equal(f.localPath, path.join(dir, f.path));
    }

    const loaded = await loadCheckpoint(dir);
    assert.deepEqual(loaded.config, config);
    assert.deepEqual(loaded.metadata, metadata);
    assert.equal(loaded.tokenizer!.id, tokenizer.id);
    assert.deepEqual(values(loaded.params), values(params));
    assert.equal(loaded.optimizer!.step, 12);
    assert.deepEqual(values(loaded.optimizer!.moments), values(optimizer.moments));
    assert.ok([...loaded.params.values()].every((v) => v.trainable));
    disposeParams(params);
    disposeParams(loaded.params);
  }
});

test('files hold the Hugging Face orientation: linear weights [out, in], the embedding [vocab, hidden]', async () => {
  const dir = path.join(tmp, 'orientation');
  const params = initParams(QWEN3_TINY, 5);
  await saveCheckpoint(dir, { params, metadata: metadataFor(QWEN3_TINY, 'byte-v1') });
  const { tensors, metadata } = await readSafetensorsFile(path.join(dir, 'model.safetensors'));
  assert.deepEqual(metadata, { format: 'pt' });
  const q = 'model.layers.1.self_attn.q_proj.weight';
  // Memory [hidden 16, heads 4 · headDim 6 = 24]; file [24, 16]; file[o][i] = memory[i][o].
  assert.deepEqual(tensors.get(q)!.shape, [24, 16]);
  const mem = params.get(q)!.arraySync() as number[][];
  const file = tensors.get(q)!.data as Float32Array;
  for (const [o, i] of [
    [0, 0],
    [5, 11],
    [23, 15],
  ]) {
    assert.equal(file[o * 16 + i], mem[i][o]);
  }
  assert.deepEqual(tensors.get('lm_head.weight')!.shape, [300, 16]);
  assert.deepEqual(tensors.get('model.embed_tokens.weight')!.shape, [300, 16]);
  assert.deepEqual(
    [...tensors.get('model.embed_tokens.weight')!.data],
    [...params.get('model.embed_tokens.weight')!.dataSync()]
  );
  assert.deepEqual(tensors.get('model.layers.0.self_attn.q_norm.weight')!.shape, [6]);
  disposeParams(params);
});

test('a BF16 export rounds each weight to bfloat16 and loads back as exactly those values', async () => {
  const dir = path.join(tmp, 'bf16');
  const params = initParams(QWEN2_TINY, 9);
  await saveCheckpoint(dir, { params, metadata: metadataFor(QWEN2_TINY, 'byte-v1'), weightsDtype: 'BF16' });
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).torch_dtype, 'bfloat16');
  const loaded = await loadCheckpoint(dir);
  const name = 'model.layers.0.mlp.down_proj.weight';
  const want = bf16ToF32(f32ToBf16(params.get(name)!.dataSync() as Float32Array));
  assert.deepEqual([...loaded.params.get(name)!.dataSync()], [...want]);
  disposeParams(params);
  disposeParams(loaded.params);
});

test('loading reports every missing and unexpected name, wrong shapes, and shape mismatches with what was expected', async () => {
  const dir = path.join(tmp, 'broken');
  const params = initParams(QWEN2_TINY, 1);
  await saveCheckpoint(dir, { params, metadata: metadataFor(QWEN2_TINY, 'byte-v1') });
  const modelFile = path.join(dir, 'model.safetensors');
  const { tensors } = await readSafetensorsFile(modelFile);
  tensors.delete('model.layers.1.mlp.up_proj.weight');
  tensors.delete('model.norm.weight');
  tensors.set('model.layers.2.mlp.up_proj.weight', { dtype: 'F32', shape: [1], data: Float32Array.from([0]) });
  tensors.set('model.layers.0.self_attn.k_proj.bias', { dtype: 'F32', shape: [3], data: new Float32Array(3) });
  await writeSafetensorsFile(modelFile, tensors, { format: 'pt' });
  await assert.rejects(loadCheckpoint(dir), (e: Error & { missing: string[]; unexpected: string[] }) => {
    assert.match(
      e.message,
      /missing \(2\): model\.layers\.1\.mlp\.up_proj\.weight \[24,16\], model\.norm\.weight \[16\]/
    );
    assert.match(e.message, /unexpected \(1\): model\.layers\.2\.mlp\.up_proj\.weight/);
    assert.match(e.message, /wrong shape: model\.layers\.0\.self_attn\.k_proj\.bias is \[3\], expected \[8\]/);
    assert.deepEqual(e.missing, ['model.layers.1.mlp.up_proj.weight', 'model.norm.weight']);
    assert.deepEqual(e.unexpected, ['model.layers.2.mlp.up_proj.weight']);
    return true;
  });

  const good = path.join(tmp, 'good');
  await saveCheckpoint(good, { params, metadata: metadataFor(QWEN2_TINY, 'byte-v1') });
  await assert.rejects(
    loadCheckpoint(good, { expect: { ...QWEN2_TINY, numLayers: 3, ropeTheta: 1e6 } }),
    /model shape differs from the one expected: numLayers 2 \(expected 3\), ropeTheta 10000 \(expected 1000000\)/
  );
  renameSync(path.join(good, 'model.safetensors'), path.join(good, 'weights.bin'));
  await assert.rejects(loadCheckpoint(good), /has neither model.safetensors nor model.safetensors.index.json/);
  await assert.rejects(loadCheckpoint(path.join(tmp, 'nowhere')), /has no config.json/);

  const badMeta = path.join(tmp, 'bad-meta');
  await saveCheckpoint(badMeta, { params, metadata: metadataFor(QWEN2_TINY, 'byte-v1') });
  writeFileSync(path.join(badMeta, 'omni.json'), JSON.stringify({ step: -1, seed: 1, tokenizer: 'byte-v1' }));
  await assert.rejects(loadCheckpoint(badMeta), /omni.json has invalid fields: step -1, configHash undefined, model/);
  writeFileSync(path.join(badMeta, 'config.json'), '{"model_type": "qwen2",');
  await assert.rejects(loadCheckpoint(badMeta), /config.json is not valid JSON/);
  disposeParams(params);
});

test('saving refuses parameters or moments that do not fit the model, and a tokenizer that is not the recorded one', async () => {
  const params = initParams(QWEN2_TINY, 2);
  const dir = path.join(tmp, 'refused');
  const wrong = new Map(params);
  wrong.delete('model.norm.weight');
  await assert.rejects(
    saveCheckpoint(dir, { params: wrong, metadata: metadataFor(QWEN2_TINY, 'byte-v1') }),
    /do not match metadata.model. missing \(1\): model.norm.weight \[16\]/
  );
  await assert.rejects(
    saveCheckpoint(dir, {
      params,
      metadata: metadataFor(QWEN2_TINY, 'byte-v1'),
      optimizer: { step: 1, moments: new Map([['model.norm.weight.mom', tf.zeros([16])]]) },
    }),
    /moment 'model.norm.weight.mom' is not '<parameter>.m'/
  );
  await assert.rejects(
    saveCheckpoint(dir, {
      params,
      metadata: metadataFor(QWEN2_TINY, 'something-else'),
      tokenizer: new ByteTokenizer(),
    }),
    /metadata.tokenizer is 'something-else' but the tokenizer given has id 'byte-v1'/
  );
  const tagged = new ByteTokenizer({ tagTokens: Array.from({ length: 60 }, (_, i) => `<t${i}>`) });
  await assert.rejects(
    saveCheckpoint(dir, { params, metadata: metadataFor(QWEN2_TINY, tagged.id), tokenizer: tagged }),
    /the tokenizer has 319 ids but the model's vocabSize is 300/
  );
  await assert.rejects(
    saveCheckpoint(dir, { params, metadata: { ...metadataFor(QWEN2_TINY, 'byte-v1'), step: 1.5 } }),
    /metadata.step must be a non-negative integer/
  );
  disposeParams(params);
});

test('the logits of a loaded checkpoint are identical to those of the model that was saved', async () => {
  for (const config of [QWEN2_TINY, QWEN3_TINY]) {
    const dir = path.join(tmp, `logits-${config.qkNorm ? 'qwen3' : 'qwen2'}`);
    const params = initParams(config, 11);
    await saveCheckpoint(dir, { params, metadata: metadataFor(config, 'byte-v1') });
    const loaded = await loadCheckpoint(dir);
    const ids = [[5, 17, 200, 3, 99, 42]];
    const logits = (p: Params) =>
      tf.tidy(() => Array.from(lmHead(p, config, forward(p, config, { ids }).hidden).dataSync()));
    const before = logits(params);
    assert.equal(before.length, 6 * config.vocabSize);
    assert.deepEqual(logits(loaded.params), before);
    disposeParams(params);
    disposeParams(loaded.params);
  }
});

test('an HF tokenizer is copied into the checkpoint and config.json gets its eos id', async () => {
  const tokenizer = new HfTokenizer(path.resolve(import.meta.dirname, '../../fixtures/tokenizers/qwen-style-bpe'));
  const config = { ...QWEN2_TINY, vocabSize: 640 };
  const params = initParams(config, 4);
  const dir = path.join(tmp, 'hf-tokenizer');
  const files = await saveCheckpoint(dir, { params, metadata: metadataFor(config, tokenizer.id), tokenizer });
  assert.deepEqual(
    files.map((f) => f.path),
    ['config.json', 'model.safetensors', 'omni.json', 'tokenizer.json', 'tokenizer.omni.json', 'tokenizer_config.json']
  );
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).eos_token_id, tokenizer.eosId);
  const loaded = await loadCheckpoint(dir, { optimizer: false });
  assert.equal(loaded.tokenizer!.id, tokenizer.id);
  assert.equal(loaded.optimizer, null);
  // A tokenizer swapped in after the fact no longer matches omni.json's record.
  writeFileSync(path.join(dir, 'tokenizer.omni.json'), JSON.stringify({ type: 'byte' }));
  await assert.rejects(loadCheckpoint(dir), /tokenizer in the directory has id 'byte-v1' but omni.json records/);
  disposeParams(params);
  disposeParams(loaded.params);
});

test('saving again into the same directory leaves nothing of the earlier save that a load would pick up', async () => {
  const dir = path.join(tmp, 'resaved');
  const params = initParams(QWEN2_TINY, 6);
  const tokenizer = new ByteTokenizer();
  await saveCheckpoint(dir, {
    params,
    metadata: metadataFor(QWEN2_TINY, tokenizer.id),
    optimizer: momentsFor(params, 3),
    tokenizer,
  });
  const files = await saveCheckpoint(dir, { params, metadata: metadataFor(QWEN2_TINY, tokenizer.id, 4) });
  assert.deepEqual(
    files.map((f) => f.path),
    ['config.json', 'model.safetensors', 'omni.json']
  );
  const loaded = await loadCheckpoint(dir);
  assert.equal(loaded.optimizer, null);
  assert.equal(loaded.tokenizer, null);
  assert.equal(loaded.metadata!.step, 4);
  disposeParams(params);
  disposeParams(loaded.params);
});

test('transpose2d swaps rows and columns', () => {
  // [[1, 2, 3], [4, 5, 6]] → [[1, 4], [2, 5], [3, 6]]
  assert.deepEqual([...transpose2d(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3)], [1, 4, 2, 5, 3, 6]);
  // Sizes around the 32-wide tiles: out[j][i] = in[i][j] everywhere.
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 70 }), (rows, cols) => {
      const x = Float32Array.from({ length: rows * cols }, (_, k) => k);
      const y = transpose2d(x, rows, cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) assert.equal(y[j * rows + i], x[i * cols + j]);
    }),
    { numRuns: 60 }
  );
});
