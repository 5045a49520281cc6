/**
 * A checkpoint loads from its files held in memory (engine/checkpoint/files.ts) exactly as from its directory:
 * same weights, Adam state, metadata and tokenizer. Tensors are read as views of the bytes, not copies; a checkpoint
 * carrying a Hugging Face tokenizer (which reads its files from disk) gets them in a kept folder.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../engine/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../../../engine/checkpoint/checkpoint.ts';
import { keepTokenizerFiles, memoryFiles, needsTokenizerFolder } from '../../../engine/checkpoint/files.ts';
import { encodeSafetensors, safetensorsBytesReader } from '../../../engine/checkpoint/safetensors.ts';
import { disposeParams, initParams } from '../../../engine/model/init.ts';
import { ByteTokenizer } from '../../../engine/tokenizer/byte.ts';
import { HfTokenizer } from '../../../engine/tokenizer/hf.ts';
import { qwen2TinyConfig } from './_helpers.ts';

await initBackend();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-ck-memory-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const QWEN2_TINY = qwen2TinyConfig();

const values = (p: Map<string, tf.Tensor>) => new Map([...p].map(([k, v]) => [k, Array.from(v.dataSync())]));

/** Every file of a directory, each in its own buffer (as a verified download holds them). */
function inMemory(dir: string): Map<string, Uint8Array> {
  return new Map(readdirSync(dir).map((name) => [name, Uint8Array.from(readFileSync(path.join(dir, name)))]));
}

test('a checkpoint loads from memory exactly as from its directory', async () => {
  const dir = path.join(tmp, 'byte');
  const tokenizer = new ByteTokenizer({ tagTokens: ['<think>', '</think>'] });
  const params = initParams(QWEN2_TINY, 3);
  const moments = new Map([...params].map(([name, p]) => [`${name}.m`, p.mul(0.5)] as const));
  const metadata = { step: 4, seed: 7, configHash: 'c', tokenizer: tokenizer.id, model: QWEN2_TINY };
  await saveCheckpoint(dir, { params, metadata, optimizer: { step: 4, moments }, tokenizer });
  const fromDir = await loadCheckpoint(dir);
  const fromMemory = await loadCheckpoint(memoryFiles('s3://b/run/policy/step-4', inMemory(dir)));
  assert.deepEqual(values(fromMemory.params), values(params));
  assert.deepEqual(values(fromMemory.params), values(fromDir.params));
  assert.deepEqual(values(fromMemory.optimizer!.moments), values(fromDir.optimizer!.moments));
  assert.equal(fromMemory.optimizer!.step, 4);
  assert.deepEqual(fromMemory.metadata, fromDir.metadata);
  assert.equal(fromMemory.tokenizer!.id, tokenizer.id);
  // The optimizer state is left unread when not asked for.
  const weightsOnly = await loadCheckpoint(memoryFiles('mem', inMemory(dir)), { optimizer: false });
  assert.equal(weightsOnly.optimizer, null);
  for (const l of [fromDir, fromMemory, weightsOnly]) disposeParams(l.params);
  for (const m of [...moments.values(), ...fromDir.optimizer!.moments.values()]) m.dispose();
  for (const m of fromMemory.optimizer!.moments.values()) m.dispose();
  disposeParams(params);
});

test('weights loaded from memory do not alias the bytes: overwriting them afterwards changes nothing', async () => {
  const files = inMemory(path.join(tmp, 'byte'));
  const loaded = await loadCheckpoint(memoryFiles('mem', files), { optimizer: false });
  const reference = await loadCheckpoint(path.join(tmp, 'byte'), { optimizer: false });
  for (const bytes of files.values()) bytes.fill(0);
  assert.deepEqual(values(loaded.params), values(reference.params));
  // The tensors kept as they are in files (embedding, norms) are the ones a view would have tied to the bytes.
  for (const name of ['model.embed_tokens.weight', 'model.norm.weight'])
    assert.ok(
      values(loaded.params)
        .get(name)!
        .some((x) => x !== 0),
      `${name} still holds its weights`
    );
  disposeParams(loaded.params);
  disposeParams(reference.params);
});

test('a missing file in memory is named with where the bytes came from', async () => {
  const dir = path.join(tmp, 'byte');
  const files = inMemory(dir);
  files.delete('config.json');
  await assert.rejects(
    loadCheckpoint(memoryFiles('s3://b/run/step-4', files)),
    /s3:\/\/b\/run\/step-4: has no config\.json/
  );
});

test('tensors read from bytes in memory are views of them; at an unaligned offset, copies', async () => {
  const bytes = encodeSafetensors(new Map([['w', { dtype: 'F32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }]]));
  const aligned = new Uint8Array(new ArrayBuffer(bytes.length));
  aligned.set(bytes);
  const view = (await safetensorsBytesReader(aligned).read('w')).data as Float32Array;
  assert.deepEqual(Array.from(view), [1, 2, 3, 4]);
  assert.equal(view.buffer, aligned.buffer, 'a view, not a copy');
  const shifted = new Uint8Array(new ArrayBuffer(bytes.length + 1), 1);
  shifted.set(bytes);
  const copy = (await safetensorsBytesReader(shifted).read('w')).data as Float32Array;
  assert.deepEqual(Array.from(copy), [1, 2, 3, 4]);
  assert.notEqual(copy.buffer, shifted.buffer);
});

test('a checkpoint with a Hugging Face tokenizer loads from memory with its tokenizer files kept in a folder', async () => {
  const dir = path.join(tmp, 'hf');
  const tokenizer = new HfTokenizer(path.resolve('test/fixtures/tokenizers/qwen-style-bpe'));
  const config = { ...QWEN2_TINY, vocabSize: Math.max(QWEN2_TINY.vocabSize, tokenizer.vocabSize) };
  const params = initParams(config, 5);
  await saveCheckpoint(dir, {
    params,
    metadata: { step: 1, seed: 1, configHash: 'c', tokenizer: tokenizer.id, model: config },
    tokenizer,
  });
  const files = inMemory(dir);
  assert.equal(needsTokenizerFolder(files.keys()), true);
  assert.equal(needsTokenizerFolder(inMemory(path.join(tmp, 'byte')).keys()), false);
  await assert.rejects(
    loadCheckpoint(memoryFiles('mem', files)),
    /mem: carries a Hugging Face tokenizer: give the folder of its files/
  );
  const root = path.join(tmp, 'tokenizers');
  const kept = await keepTokenizerFiles(files, root);
  assert.deepEqual(readdirSync(kept).sort(), ['tokenizer.json', 'tokenizer.omni.json', 'tokenizer_config.json']);
  assert.equal(await keepTokenizerFiles(inMemory(dir), root), kept, 'the same tokenizer: the same folder');
  const loaded = await loadCheckpoint(memoryFiles('mem', files, kept));
  assert.equal(loaded.tokenizer!.id, tokenizer.id);
  assert.deepEqual(values(loaded.params), values(params));
  disposeParams(loaded.params);
  disposeParams(params);
});
