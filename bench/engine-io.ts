/**
 * `npm run bench -- engine-io`: checkpoint save/load and tokenizer throughput, each against a baseline measured in
 * the same run, interleaved round by round so load from other processes falls on both alike.
 *
 * - save/load of a model (`BENCH_PRESET`, default `small`, 3.3M parameters; F32 weights + Adam moments) vs writing /
 *   reading the same number of bytes as one plain file: the ratio is the cost of the format, transposes and hashing.
 * - tokenizer encode: the Hugging Face fixture BPE (pure JS) vs the byte tokenizer, on the same mixed text.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend.ts';
import { loadCheckpoint, saveCheckpoint } from '../engine/checkpoint/checkpoint.ts';
import { parameterCount, presetConfig } from '../engine/model/config.ts';
import { disposeParams, initParams } from '../engine/model/init.ts';
import { ByteTokenizer } from '../engine/tokenizer/byte.ts';
import { HfTokenizer } from '../engine/tokenizer/hf.ts';
import type { OptimizerState } from '../engine/types.ts';
import { machineInfo } from './machine.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const backend = await initBackend();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'omni-zero-bench-io-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = async (f: () => unknown) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};

// 1. Checkpoints.
const tokenizer = new ByteTokenizer({ tagTokens: ['<think>', '</think>', '<answer>', '</answer>'] });
const preset = process.env.BENCH_PRESET ?? 'small';
const config = presetConfig(preset, tokenizer.vocabSize);
const params = initParams(config, 0);
const optimizer: OptimizerState = { step: 10, moments: new Map() };
for (const [name, p] of params) {
  optimizer.moments.set(`${name}.m`, tf.mul(p, 0.1));
  optimizer.moments.set(`${name}.v`, tf.square(p));
}
const metadata = { step: 10, seed: 1, configHash: 'bench', tokenizer: tokenizer.id, model: config };
const dir = path.join(tmp, 'ckpt');
let checkpointBytes = 0;
const save: number[] = [];
const load: number[] = [];
const rawWrite: number[] = [];
const rawWriteSync: number[] = [];
const rawRead: number[] = [];
for (let r = 0; r < rounds; r++) {
  save.push(
    await ms(async () => {
      const files = await saveCheckpoint(dir, { params, metadata, optimizer, tokenizer });
      checkpointBytes = files.reduce((a, f) => a + f.bytes, 0);
    })
  );
  load.push(
    await ms(async () => {
      const loaded = await loadCheckpoint(dir);
      disposeParams(loaded.params);
      for (const m of loaded.optimizer!.moments.values()) m.dispose();
    })
  );
  // Baseline: the same bytes as one file, written and read back with nothing else.
  const blob = new Uint8Array(checkpointBytes);
  blob.fill(r);
  rawWrite.push(await ms(() => writeFileSync(path.join(tmp, 'raw.bin'), blob)));
  rawRead.push(await ms(() => readFileSync(path.join(tmp, 'raw.bin'))));
  // The save fsyncs its two tensor files (durability); so does this baseline.
  rawWriteSync.push(
    await ms(async () => {
      const fh = await open(path.join(tmp, 'raw-sync.bin'), 'w');
      await fh.write(blob);
      await fh.sync();
      await fh.close();
    })
  );
}

// 2. Tokenizers.
const hf = new HfTokenizer(path.resolve(import.meta.dirname, '../test/fixtures/tokenizers/qwen-style-bpe'));
const sample =
  '<think>Let x be the number of apples. Then 3x + 5 = 20, so x = 5.</think><answer>5</answer>\n' +
  'def add(a, b):\n    return a + b\n' +
  'Café, naïve, 数学很有趣。 Emoji 🙂 and more words to make it longer. ';
const text = sample.repeat(200);
const hfEncode: number[] = [];
const byteEncode: number[] = [];
let hfTokens = 0;
let byteTokens = 0;
for (let r = 0; r < rounds; r++) {
  hfEncode.push(await ms(() => (hfTokens = hf.encode(text).length)));
  byteEncode.push(await ms(() => (byteTokens = tokenizer.encode(text).length)));
}
rmSync(tmp, { recursive: true, force: true });

const mb = checkpointBytes / 2 ** 20;
console.log(
  JSON.stringify(
    {
      bench: 'engine-io',
      machine: machineInfo(),
      backend: backend.name,
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      rounds,
      checkpoint: {
        preset,
        parameters: parameterCount(config),
        files: 'model + optimizer (F32) + config + omni + tokenizer spec',
        megabytes: Math.round(mb * 100) / 100,
        saveMs: Math.round(median(save)),
        loadMs: Math.round(median(load)),
        rawWriteMs: Math.round(median(rawWrite) * 10) / 10,
        rawReadMs: Math.round(median(rawRead) * 10) / 10,
        rawWriteFsyncMs: Math.round(median(rawWriteSync) * 10) / 10,
        saveMBps: Math.round(mb / (median(save) / 1000)),
        loadMBps: Math.round(mb / (median(load) / 1000)),
        saveOverRawWrite: Math.round((median(save) / median(rawWrite)) * 10) / 10,
        saveOverRawWriteFsync: Math.round((median(save) / median(rawWriteSync)) * 10) / 10,
        loadOverRawRead: Math.round((median(load) / median(rawRead)) * 10) / 10,
      },
      tokenizer: {
        characters: text.length,
        hfTokens,
        byteTokens,
        hfEncodeMs: Math.round(median(hfEncode)),
        byteEncodeMs: Math.round(median(byteEncode) * 10) / 10,
        hfCharsPerSecond: Math.round(text.length / (median(hfEncode) / 1000)),
        byteCharsPerSecond: Math.round(text.length / (median(byteEncode) / 1000)),
        hfOverByte: Math.round((median(hfEncode) / median(byteEncode)) * 10) / 10,
      },
    },
    null,
    2
  )
);
