/**
 * Checkpoints in a local directory, laid out as a Hugging Face model directory plus the run's own state:
 *
 *   model.safetensors      weights by HF name, HF orientation ([out, in] linear weights), `format: pt` metadata
 *   config.json            Hugging Face Qwen2/Qwen3 (or Llama) config
 *   optimizer.safetensors  Adam moments `<name>.m` / `<name>.v` in the same orientation as the weights, step in metadata
 *   omni.json              {@link CheckpointMetadata} (step, seed, config hash, tokenizer id, extras)
 *   tokenizer.*            the tokenizer's spec and files (engine/tokenizer/load.ts)
 *
 * In memory, linear weights are [in, out] (engine/types.ts: a plain `x @ W` is 10–25× faster than a transposed
 * matmul on wasm), so every 2-D tensor except the embedding is transposed on the way out and back on the way in.
 * Loading also accepts a plain Hugging Face directory (config.json + model.safetensors, or shards listed in
 * model.safetensors.index.json) and checks every expected name and shape before building any tensor.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parameterShapes, validateConfig } from '../model/config.ts';
import { saveTokenizer, TOKENIZER_SPEC_FILE } from '../tokenizer/load.ts';
import type { ProjectTokenizer } from '../tokenizer/types.ts';
import type { CheckpointMetadata, ModelConfig, OptimizerState, Params } from '../types.ts';
import { ModelCheckpointError, SafetensorsError } from './errors.ts';
import { type CheckpointFiles, directoryFiles } from './files.ts';
import { f32ToBf16, f32ToF16 } from './float16.ts';
import { fromHfConfig, toHfConfig } from './hf-config.ts';
import {
  readAllTensors,
  type SafetensorsEntry,
  type SafetensorsHeader,
  type SafetensorsTensor,
  toFloat32,
  writeSafetensorsFile,
} from './safetensors.ts';

export const MODEL_FILE = 'model.safetensors';
export const MODEL_INDEX_FILE = 'model.safetensors.index.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const CONFIG_FILE = 'config.json';
export const METADATA_FILE = 'omni.json';
/** The only 2-D parameter kept in the same orientation in memory and in files. */
const EMBEDDING = 'model.embed_tokens.weight';

/** A file of a saved checkpoint: what the storage layer uploads and records in its manifest. */
export interface SavedFile {
  /** Path relative to the checkpoint directory. */
  path: string;
  /** Absolute path on disk. */
  localPath: string;
  bytes: number;
  /** Hex sha256 of the file's content. */
  sha256: string;
}

export interface SaveCheckpointInput {
  /** The weights, in memory orientation ([in, out] linear weights). */
  params: Params;
  /** Step, seed, config hash, tokenizer id and model shape (`metadata.model` is the config saved). */
  metadata: CheckpointMetadata;
  /** Adam state; omitted for a weights-only checkpoint (e.g. a pretrained base). */
  optimizer?: OptimizerState;
  /** Saved beside the weights; its id must equal `metadata.tokenizer`. */
  tokenizer?: ProjectTokenizer;
  /**
   * Precision of model.safetensors (default 'F32', exact). 'BF16'/'F16' halve the file but round the weights, so a
   * resumed run would differ: use them only for export. The optimizer state is always F32.
   */
  weightsDtype?: 'F32' | 'BF16' | 'F16';
}

/** Whether a parameter's file orientation is the transpose of its memory orientation. */
export function isTransposedInFiles(name: string, rank: number): boolean {
  return rank === 2 && name !== EMBEDDING;
}

/** Tile edge of {@link transpose2d}: 32×32 floats keep both the rows read and the rows written in cache. */
const TILE = 32;

/** Row-major [rows, cols] → [cols, rows]. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const iEnd = Math.min(i0 + TILE, rows);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const jEnd = Math.min(j0 + TILE, cols);
      for (let i = i0; i < iEnd; i++) {
        const row = i * cols;
        for (let j = j0; j < jEnd; j++) out[j * rows + i] = values[row + j];
      }
    }
  }
  return out;
}

async function fileTensor(
  dir: string,
  name: string,
  t: tf.Tensor,
  dtype: 'F32' | 'BF16' | 'F16'
): Promise<SafetensorsTensor> {
  if (t.dtype !== 'float32') throw new ModelCheckpointError(`'${name}' is ${t.dtype}; parameters must be float32`, dir);
  let values = (await t.data()) as Float32Array;
  let shape = [...t.shape];
  if (isTransposedInFiles(name, shape.length)) {
    values = transpose2d(values, shape[0], shape[1]);
    shape = [shape[1], shape[0]];
  } else {
    values = Float32Array.from(values);
  }
  if (dtype === 'BF16') return { dtype, shape, data: f32ToBf16(values) };
  if (dtype === 'F16') return { dtype, shape, data: f32ToF16(values) };
  return { dtype, shape, data: values };
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, file);
}

/** Names missing from / unexpected in `have`, against the shapes a config expects. */
function compareNames(expected: Map<string, number[]>, have: Iterable<string>) {
  const haveSet = new Set(have);
  return {
    missing: [...expected.keys()].filter((n) => !haveSet.has(n)),
    unexpected: [...haveSet].filter((n) => !expected.has(n)),
  };
}

function describeNames(kind: string, names: string[], shapes?: Map<string, number[]>): string {
  if (names.length === 0) return '';
  const shown = names.slice(0, 8).map((n) => (shapes?.has(n) ? `${n} [${shapes.get(n)}]` : n));
  return `${kind} (${names.length}): ${shown.join(', ')}${names.length > 8 ? ', …' : ''}`;
}

/** Shapes as stored in files (HF orientation). */
export function fileShapes(config: ModelConfig): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const [name, shape] of parameterShapes(config)) {
    shapes.set(name, isTransposedInFiles(name, shape.length) ? [shape[1], shape[0]] : shape);
  }
  return shapes;
}

/** Writes a checkpoint into `dir` (created if needed); returns every file with its size and sha256. */
export async function saveCheckpoint(dir: string, input: SaveCheckpointInput): Promise<SavedFile[]> {
  const config = input.metadata.model;
  if (!Number.isInteger(input.metadata.step) || input.metadata.step < 0) {
    throw new ModelCheckpointError(`metadata.step must be a non-negative integer, got ${input.metadata.step}`, dir);
  }
  try {
    validateConfig(config);
  } catch (e) {
    throw new ModelCheckpointError(`metadata.model is not a valid model config: ${(e as Error).message}`, dir);
  }
  const expected = parameterShapes(config);
  const { missing, unexpected } = compareNames(expected, input.params.keys());
  if (missing.length > 0 || unexpected.length > 0) {
    throw new ModelCheckpointError(
      `the parameters do not match metadata.model. ${[describeNames('missing', missing, expected), describeNames('unexpected', unexpected)].filter(Boolean).join('; ')}`,
      dir,
      missing,
      unexpected
    );
  }
  for (const [name, v] of input.params) {
    if (v.shape.join(',') !== expected.get(name)!.join(',')) {
      throw new ModelCheckpointError(
        `'${name}' has shape [${v.shape}] in memory; metadata.model expects [${expected.get(name)}]`,
        dir
      );
    }
  }
  if (input.tokenizer) {
    if (input.tokenizer.id !== input.metadata.tokenizer) {
      throw new ModelCheckpointError(
        `metadata.tokenizer is '${input.metadata.tokenizer}' but the tokenizer given has id '${input.tokenizer.id}'`,
        dir
      );
    }
    if (input.tokenizer.vocabSize > config.vocabSize) {
      throw new ModelCheckpointError(
        `the tokenizer has ${input.tokenizer.vocabSize} ids but the model's vocabSize is ${config.vocabSize}`,
        dir
      );
    }
  }
  await mkdir(dir, { recursive: true });
  // A retried save into the same directory must not leave files of the earlier attempt that a load would pick up.
  await rm(path.join(dir, MODEL_INDEX_FILE), { force: true });
  if (!input.optimizer) await rm(path.join(dir, OPTIMIZER_FILE), { force: true });
  if (!input.tokenizer) await rm(path.join(dir, TOKENIZER_SPEC_FILE), { force: true });
  const written: string[] = [];
  /** Size and sha256 of the files whose bytes pass through here; the tokenizer's copies are hashed after. */
  const known = new Map<string, { bytes: number; sha256: string }>();

  const weightsDtype = input.weightsDtype ?? 'F32';
  const weights = new Map<string, SafetensorsTensor>();
  for (const [name, v] of input.params) weights.set(name, await fileTensor(dir, name, v, weightsDtype));
  known.set(MODEL_FILE, await writeSafetensorsFile(path.join(dir, MODEL_FILE), weights, { format: 'pt' }));
  written.push(MODEL_FILE);

  if (input.optimizer) {
    const moments = new Map<string, SafetensorsTensor>();
    for (const [key, t] of input.optimizer.moments) {
      const param = key.replace(/\.(m|v)$/, '');
      if (param === key || !expected.has(param)) {
        throw new ModelCheckpointError(
          `optimizer moment '${key}' is not '<parameter>.m' or '<parameter>.v' of this model`,
          dir
        );
      }
      if (t.shape.join(',') !== expected.get(param)!.join(',')) {
        throw new ModelCheckpointError(
          `optimizer moment '${key}' has shape [${t.shape}], its parameter [${expected.get(param)}]`,
          dir
        );
      }
      moments.set(key, await fileTensor(dir, param, t, 'F32'));
    }
    if (!Number.isInteger(input.optimizer.step) || input.optimizer.step < 0) {
      throw new ModelCheckpointError(`optimizer step must be a non-negative integer, got ${input.optimizer.step}`, dir);
    }
    known.set(
      OPTIMIZER_FILE,
      await writeSafetensorsFile(path.join(dir, OPTIMIZER_FILE), moments, {
        format: 'pt',
        step: String(input.optimizer.step),
      })
    );
    written.push(OPTIMIZER_FILE);
  }

  const torchDtype = ({ F32: 'float32', BF16: 'bfloat16', F16: 'float16' } as const)[weightsDtype];
  await writeJson(
    path.join(dir, CONFIG_FILE),
    toHfConfig(config, {
      torchDtype,
      ...(input.tokenizer && { eosTokenId: input.tokenizer.eosId, bosTokenId: input.tokenizer.bosId }),
    })
  );
  written.push(CONFIG_FILE);
  await writeJson(path.join(dir, METADATA_FILE), input.metadata);
  written.push(METADATA_FILE);
  if (input.tokenizer) written.push(...(await saveTokenizer(input.tokenizer, dir)));

  const files: SavedFile[] = [];
  for (const name of written.sort()) {
    const localPath = path.join(dir, name);
    const { bytes, sha256 } = known.get(name) ?? {
      bytes: (await stat(localPath)).size,
      sha256: await sha256File(localPath),
    };
    files.push({ path: name, localPath, bytes, sha256 });
  }
  return files;
}

export interface LoadCheckpointOptions {
  /** Refuse a checkpoint whose shape differs from this config (each differing field is named). */
  expect?: ModelConfig;
  /** Load optimizer.safetensors when present (default true). */
  optimizer?: boolean;
  /** Load the tokenizer saved in the directory when there is one (default true). */
  tokenizer?: boolean;
}

export interface LoadedCheckpoint {
  config: ModelConfig;
  /** Weights in memory orientation, as trainable variables. The caller owns (and disposes) them. */
  params: Params;
  /** omni.json, or null for a plain Hugging Face directory. */
  metadata: CheckpointMetadata | null;
  /** Adam state, or null when the directory has none (or it was not asked for). */
  optimizer: OptimizerState | null;
  tokenizer: ProjectTokenizer | null;
}

async function readJson(files: CheckpointFiles, name: string): Promise<Record<string, unknown>> {
  const text = await files.readText(name);
  if (text === null) throw new ModelCheckpointError(`has no ${name}`, files.where);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelCheckpointError(`${name} is not valid JSON (${(e as Error).message})`, files.where);
  }
}

/** Which file holds each weight: one model.safetensors, or the shards of model.safetensors.index.json. */
async function weightFiles(files: CheckpointFiles): Promise<Map<string, { file: string; entry: SafetensorsEntry }>> {
  const byName = new Map<string, { file: string; entry: SafetensorsEntry }>();
  const dir = files.where;
  let shards: string[];
  if (files.has(MODEL_FILE)) shards = [MODEL_FILE];
  else if (files.has(MODEL_INDEX_FILE)) {
    const index = await readJson(files, MODEL_INDEX_FILE);
    const map = index.weight_map as Record<string, string> | undefined;
    if (!map || typeof map !== 'object') throw new ModelCheckpointError(`${MODEL_INDEX_FILE} has no weight_map`, dir);
    shards = [...new Set(Object.values(map))].sort();
    for (const shard of shards) {
      if (shard.includes('/') || shard.includes('\\') || !files.has(shard)) {
        throw new ModelCheckpointError(
          `${MODEL_INDEX_FILE} lists shard '${shard}', which is not in the directory`,
          dir
        );
      }
    }
  } else {
    throw new ModelCheckpointError(`has neither ${MODEL_FILE} nor ${MODEL_INDEX_FILE}: no weights to load`, dir);
  }
  for (const file of shards) {
    let header: SafetensorsHeader;
    try {
      header = await files.safetensorsHeader(file);
    } catch (e) {
      if (e instanceof SafetensorsError) throw new ModelCheckpointError(e.message, dir);
      throw e;
    }
    for (const [name, entry] of header.entries) {
      if (byName.has(name)) throw new ModelCheckpointError(`tensor '${name}' appears in two shards`, dir);
      byName.set(name, { file, entry });
    }
  }
  return byName;
}

/** Tensors some Hugging Face checkpoints carry that are not parameters. */
function ignorable(name: string, config: ModelConfig): boolean {
  return name.endsWith('.rotary_emb.inv_freq') || (config.tieWordEmbeddings && name === 'lm_head.weight');
}

function configDifferences(a: ModelConfig, b: ModelConfig): string[] {
  return (Object.keys(b) as (keyof ModelConfig)[])
    .filter((k) => a[k] !== b[k])
    .map((k) => `${k} ${JSON.stringify(a[k])} (expected ${JSON.stringify(b[k])})`);
}

/**
 * A parameter in memory orientation. The transpose runs on the backend (natively: several times faster than a
 * transpose in JS, and no JS copy of the values). A tensor kept as it is gets its own copy when its values are a view
 * of a larger buffer (a checkpoint read into memory): a backend that keeps the values it is given (cpu, or tfjs-node
 * until the tensor's first op) would otherwise keep the whole download alive.
 */
function memoryTensor(name: string, t: SafetensorsTensor, shape: number[]): tf.Tensor {
  const values = toFloat32(t, name);
  if (isTransposedInFiles(name, t.shape.length)) {
    return tf.tidy(() => tf.tensor(values, t.shape, 'float32').transpose());
  }
  const own = values.byteLength === values.buffer.byteLength ? values : values.slice();
  return tf.tensor(own, shape, 'float32');
}

/** omni.json as written by {@link saveCheckpoint}; a hand-edited or truncated one fails here, not mid-run. */
function checkMetadata(raw: Record<string, unknown>, dir: string): CheckpointMetadata {
  const problems: string[] = [];
  if (!Number.isInteger(raw.step) || (raw.step as number) < 0) problems.push(`step ${JSON.stringify(raw.step)}`);
  if (typeof raw.seed !== 'number') problems.push(`seed ${JSON.stringify(raw.seed)}`);
  if (typeof raw.configHash !== 'string') problems.push(`configHash ${JSON.stringify(raw.configHash)}`);
  if (typeof raw.tokenizer !== 'string') problems.push(`tokenizer ${JSON.stringify(raw.tokenizer)}`);
  if (raw.model === null || typeof raw.model !== 'object') problems.push('model (missing)');
  if (raw.extra !== undefined && (raw.extra === null || typeof raw.extra !== 'object')) problems.push('extra');
  if (problems.length > 0) {
    throw new ModelCheckpointError(`${METADATA_FILE} has invalid fields: ${problems.join(', ')}`, dir);
  }
  return raw as unknown as CheckpointMetadata;
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint} or a Hugging Face Qwen2/Qwen3 model directory: from a
 * directory, or from files already in memory ({@link memoryFiles}).
 */
export async function loadCheckpoint(
  from: string | CheckpointFiles,
  options: LoadCheckpointOptions = {}
): Promise<LoadedCheckpoint> {
  const files = typeof from === 'string' ? directoryFiles(from) : from;
  const dir = files.where;
  const hfConfig = await readJson(files, CONFIG_FILE);
  let config: ModelConfig;
  try {
    config = validateConfig(fromHfConfig(hfConfig));
  } catch (e) {
    throw new ModelCheckpointError((e as Error).message, dir);
  }
  if (options.expect) {
    const diffs = configDifferences(config, options.expect);
    if (diffs.length > 0)
      throw new ModelCheckpointError(`model shape differs from the one expected: ${diffs.join(', ')}`, dir);
  }
  const metadata = files.has(METADATA_FILE) ? checkMetadata(await readJson(files, METADATA_FILE), dir) : null;
  if (metadata) {
    const diffs = configDifferences(metadata.model, config);
    if (diffs.length > 0)
      throw new ModelCheckpointError(`omni.json's model and config.json disagree: ${diffs.join(', ')}`, dir);
  }

  const shapes = fileShapes(config);
  const memShapes = parameterShapes(config);
  const weights = await weightFiles(files);
  const present = [...weights.keys()].filter((n) => !ignorable(n, config));
  const { missing, unexpected } = compareNames(shapes, present);
  const wrongShape = [...shapes]
    .filter(([n, s]) => weights.has(n) && weights.get(n)!.entry.shape.join(',') !== s.join(','))
    .map(([n, s]) => `${n} is [${weights.get(n)!.entry.shape}], expected [${s}]`);
  if (missing.length > 0 || unexpected.length > 0 || wrongShape.length > 0) {
    const parts = [
      describeNames('missing', missing, shapes),
      describeNames('unexpected', unexpected),
      wrongShape.length > 0 ? `wrong shape: ${wrongShape.slice(0, 8).join('; ')}` : '',
    ].filter(Boolean);
    throw new ModelCheckpointError(
      `weights do not match config.json (${hfConfig.model_type}, ${config.numLayers} layers). ${parts.join('. ')}`,
      dir,
      missing,
      unexpected
    );
  }

  const byFile = new Map<string, string[]>();
  for (const name of shapes.keys()) {
    const { file } = weights.get(name)!;
    byFile.set(file, [...(byFile.get(file) ?? []), name]);
  }
  const params: Params = new Map();
  try {
    for (const [file, names] of byFile) {
      const reader = await files.openSafetensors(file);
      try {
        for (const name of names) {
          const t = memoryTensor(name, await reader.read(name), memShapes.get(name)!);
          params.set(name, tf.variable(t, true));
          t.dispose();
        }
      } finally {
        await reader.close();
      }
    }
  } catch (e) {
    for (const v of params.values()) v.dispose();
    if (e instanceof SafetensorsError) throw new ModelCheckpointError(e.message, dir);
    throw e;
  }

  let optimizer: OptimizerState | null = null;
  if ((options.optimizer ?? true) && files.has(OPTIMIZER_FILE)) {
    const { tensors, metadata: meta } = await readAllTensors(await files.openSafetensors(OPTIMIZER_FILE));
    const step = Number(meta.step);
    if (!Number.isInteger(step) || step < 0) {
      throw new ModelCheckpointError(
        `${OPTIMIZER_FILE} metadata 'step' is ${JSON.stringify(meta.step)}, not a step count`,
        dir
      );
    }
    const moments = new Map<string, tf.Tensor>();
    for (const [key, t] of tensors) {
      const param = key.replace(/\.(m|v)$/, '');
      const want = shapes.get(param);
      if (param === key || !want || t.shape.join(',') !== want.join(',')) {
        for (const m of moments.values()) m.dispose();
        throw new ModelCheckpointError(
          `${OPTIMIZER_FILE} has '${key}' [${t.shape}], which is no parameter's moment in this model`,
          dir
        );
      }
      moments.set(key, memoryTensor(param, t, memShapes.get(param)!));
    }
    optimizer = { step, moments };
  }

  const tokenizer = (options.tokenizer ?? true) ? await files.tokenizer() : null;
  if (tokenizer && metadata && tokenizer.id !== metadata.tokenizer) {
    throw new ModelCheckpointError(
      `the tokenizer in the directory has id '${tokenizer.id}' but omni.json records '${metadata.tokenizer}'`,
      dir
    );
  }
  return { config, params, metadata, optimizer, tokenizer };
}
