/**
 * The safetensors format as Hugging Face's reference implementation (the `safetensors` Rust crate) writes and checks
 * it: 8-byte little-endian header length N, N bytes of JSON header padded with spaces to a multiple of 8 (so every
 * tensor's data starts 8-byte aligned), then the tensors' bytes back to back, little-endian, C order. The header maps
 * each name to `{dtype, shape, data_offsets}` (offsets relative to the end of the header) plus an optional
 * `__metadata__` map of strings. Writing sorts tensors by descending dtype alignment, then by name, as the reference
 * does, so our files are byte-identical to Python's `safetensors.numpy.save` for the same tensors and one metadata key.
 */
import { createHash } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import { SafetensorsError } from './errors.ts';
import { bf16ToF32, f16ToF32 } from './float16.ts';

/** Bytes per element, listed in the reference's alignment order (its `Dtype` enum order). */
export const DTYPE_SIZE = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;
export type Dtype = keyof typeof DTYPE_SIZE;
const DTYPE_RANK = new Map(Object.keys(DTYPE_SIZE).map((d, i) => [d, i]));

/** The reference refuses headers above 100 MB; so do we, before allocating. */
export const MAX_HEADER_BYTES = 100_000_000;

export type TensorData =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | BigInt64Array
  | BigUint64Array;

/**
 * One tensor as stored. `data` holds the elements in the dtype's own typed array; F16 and BF16 are raw bits in a
 * `Uint16Array`, FP8 and BOOL raw bytes in a `Uint8Array`.
 */
export interface SafetensorsTensor {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

/** Where a tensor's bytes are, as the header says. */
export interface SafetensorsEntry {
  dtype: Dtype;
  shape: number[];
  /** [begin, end) in bytes, relative to the first byte after the header. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** Tensors in file order (by offset). */
  entries: Map<string, SafetensorsEntry>;
  /** The `__metadata__` map ({} when absent). */
  metadata: Record<string, string>;
  /** Byte position of the first tensor byte in the file: 8 + header length. */
  dataStart: number;
}

function assertLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new SafetensorsError('safetensors data is little-endian; this host is not');
}

const ARRAY_OF: Record<Dtype, new (buffer: ArrayBuffer) => TensorData> = {
  BOOL: Uint8Array,
  U8: Uint8Array,
  I8: Int8Array,
  F8_E5M2: Uint8Array,
  F8_E4M3: Uint8Array,
  I16: Int16Array,
  U16: Uint16Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I32: Int32Array,
  U32: Uint32Array,
  F32: Float32Array,
  F64: Float64Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
};

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function utf8Compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function checkTensor(name: string, t: SafetensorsTensor): void {
  if (!(t.dtype in DTYPE_SIZE)) {
    throw new SafetensorsError(
      `tensor '${name}' has unknown dtype '${t.dtype}'; use one of ${Object.keys(DTYPE_SIZE).join(', ')}`
    );
  }
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new SafetensorsError(`tensor '${name}' has shape [${t.shape}]; dimensions must be non-negative integers`);
  }
  const want = ARRAY_OF[t.dtype];
  if (!(t.data instanceof want)) {
    throw new SafetensorsError(
      `tensor '${name}' is ${t.dtype} but its data is a ${t.data.constructor.name}; pass a ${want.name}`
    );
  }
  if (t.data.length !== numel(t.shape)) {
    throw new SafetensorsError(
      `tensor '${name}' has shape [${t.shape}] (${numel(t.shape)} elements) but ${t.data.length} values`
    );
  }
}

function toEntries(tensors: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>) {
  return tensors instanceof Map ? [...tensors] : Object.entries(tensors);
}

/** The padded header bytes and the tensors in the order their data follows. */
function prepare(
  tensors: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
  metadata: Record<string, string> | undefined
): { header: Buffer; ordered: [string, SafetensorsTensor][]; dataBytes: number } {
  assertLittleEndian();
  const ordered = toEntries(tensors);
  for (const [name, t] of ordered) {
    if (name === '__metadata__') throw new SafetensorsError(`'__metadata__' is reserved and cannot name a tensor`);
    checkTensor(name, t);
  }
  for (const [k, v] of Object.entries(metadata ?? {})) {
    if (typeof v !== 'string') throw new SafetensorsError(`metadata '${k}' must be a string, got ${typeof v}`);
  }
  ordered.sort(([an, a], [bn, b]) => DTYPE_RANK.get(b.dtype)! - DTYPE_RANK.get(a.dtype)! || utf8Compare(an, bn));
  const json: Record<string, unknown> = {};
  if (metadata !== undefined) json.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of ordered) {
    const n = t.data.byteLength;
    json[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  const text = Buffer.from(JSON.stringify(json), 'utf8');
  const padded = Buffer.alloc(8 + Math.ceil(text.length / 8) * 8, 0x20);
  padded.writeBigUInt64LE(BigInt(padded.length - 8), 0);
  text.copy(padded, 8);
  return { header: padded, ordered, dataBytes: offset };
}

function bytesOf(data: TensorData): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Serialises tensors (and string metadata) to safetensors bytes. */
export function encodeSafetensors(
  tensors: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>
): Buffer {
  const { header, ordered, dataBytes } = prepare(tensors, metadata);
  const out = Buffer.alloc(header.length + dataBytes);
  header.copy(out, 0);
  let at = header.length;
  for (const [, t] of ordered) {
    bytesOf(t.data).copy(out, at);
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Writes a safetensors file tensor by tensor (no second copy of the weights in memory), to a temporary name first and
 * renamed at the end, so a crash never leaves a truncated file under the final name. Returns the file's size and
 * sha256, hashed from the bytes as they are written (no second read).
 */
export async function writeSafetensorsFile(
  file: string,
  tensors: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
  metadata?: Record<string, string>
): Promise<{ bytes: number; sha256: string }> {
  const { header, ordered, dataBytes } = prepare(tensors, metadata);
  const tmp = `${file}.tmp-${process.pid}`;
  const hash = createHash('sha256');
  const fh = await open(tmp, 'w');
  try {
    hash.update(header);
    await fh.write(header);
    for (const [, t] of ordered) {
      const bytes = bytesOf(t.data);
      hash.update(bytes);
      await fh.write(bytes);
    }
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, file);
  return { bytes: header.length + dataBytes, sha256: hash.digest('hex') };
}

/** Parses and checks a header the way the reference does: contiguous offsets from 0 that cover the data exactly. */
function parseHeader(text: Buffer, headerLength: number, totalBytes: number, file?: string): SafetensorsHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch (e) {
    throw new SafetensorsError(
      `header is not valid UTF-8 JSON (${(e as Error).message}); the file is corrupt or not safetensors`,
      file
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SafetensorsError('header is not a JSON object; the file is not safetensors', file);
  }
  const metadata: Record<string, string> = {};
  const list: [string, SafetensorsEntry][] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(`__metadata__.${k} is not a string`, file);
        // Defined, not assigned: a key named `__proto__` (JSON.parse makes it an own key) must stay a key.
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const v = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof v?.dtype !== 'string' || !(v.dtype in DTYPE_SIZE)) {
      throw new SafetensorsError(`tensor '${name}' has unsupported dtype ${JSON.stringify(v?.dtype)}`, file);
    }
    if (!Array.isArray(v.shape) || !v.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(`tensor '${name}' has an invalid shape ${JSON.stringify(v.shape)}`, file);
    }
    const off = v.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(`tensor '${name}' has invalid data_offsets ${JSON.stringify(off)}`, file);
    }
    list.push([name, { dtype: v.dtype as Dtype, shape: v.shape as number[], dataOffsets: [off[0], off[1]] }]);
  }
  list.sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let at = 0;
  for (const [name, e] of list) {
    const [s, end] = e.dataOffsets;
    if (s !== at || end < s) {
      throw new SafetensorsError(
        `tensor '${name}' has data_offsets [${s}, ${end}] but the previous tensor ends at ${at}`,
        file
      );
    }
    const want = numel(e.shape) * DTYPE_SIZE[e.dtype];
    if (end - s !== want) {
      throw new SafetensorsError(
        `tensor '${name}' is ${e.dtype} [${e.shape}] = ${want} bytes but its data_offsets span ${end - s}`,
        file
      );
    }
    at = end;
  }
  const dataStart = 8 + headerLength;
  if (dataStart + at !== totalBytes) {
    throw new SafetensorsError(
      `header describes ${at} data bytes but the file has ${totalBytes - dataStart}; the file is truncated or has trailing bytes`,
      file
    );
  }
  return { entries: new Map(list), metadata, dataStart };
}

function headerLengthOf(first8: Buffer, totalBytes: number, file?: string): number {
  if (totalBytes < 8) throw new SafetensorsError(`only ${totalBytes} bytes; a safetensors file starts with 8`, file);
  const n = first8.readBigUInt64LE(0);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(
      `header length ${n} exceeds ${MAX_HEADER_BYTES} bytes; the file is not safetensors`,
      file
    );
  }
  if (Number(n) + 8 > totalBytes) {
    throw new SafetensorsError(`header length ${n} runs past the end of the ${totalBytes}-byte file`, file);
  }
  return Number(n);
}

function tensorFrom(entry: SafetensorsEntry, bytes: Uint8Array): SafetensorsTensor {
  // A fresh buffer: the source may sit at an offset that is not a multiple of the element size.
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return { dtype: entry.dtype, shape: [...entry.shape], data: new ARRAY_OF[entry.dtype](copy) };
}

/** The checked header of safetensors bytes held in memory. */
function headerOfBytes(bytes: Uint8Array, file?: string): SafetensorsHeader {
  assertLittleEndian();
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = headerLengthOf(buf.subarray(0, 8), buf.length, file);
  return parseHeader(buf.subarray(8, 8 + n), n, buf.length, file);
}

/** Parses safetensors bytes into tensors (copied out of `bytes`) and metadata. */
export function decodeSafetensors(bytes: Uint8Array): {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
} {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = headerOfBytes(bytes);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, e] of header.entries) {
    const [s, end] = e.dataOffsets;
    tensors.set(name, tensorFrom(e, buf.subarray(header.dataStart + s, header.dataStart + end)));
  }
  return { tensors, metadata: header.metadata };
}

/** Reads only the header of a safetensors file (cheap for multi-GB checkpoints). */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const first8 = Buffer.alloc(8);
    await fh.read(first8, 0, Math.min(8, size), 0);
    const n = headerLengthOf(first8, size, file);
    const text = Buffer.alloc(n);
    await fh.read(text, 0, n, 8);
    return parseHeader(text, n, size, file);
  } finally {
    await fh.close();
  }
}

/** An open safetensors file whose tensors are read one at a time (peak memory: one tensor, not the file). */
export interface SafetensorsReader {
  readonly header: SafetensorsHeader;
  /** Reads one tensor's bytes (copied into its own typed array). */
  read(name: string): Promise<SafetensorsTensor>;
  close(): Promise<void>;
}

/** The header's entry for tensor `name`; a name the file lacks is an error naming it. */
function entryOf(header: SafetensorsHeader, name: string, file?: string) {
  const e = header.entries.get(name);
  if (!e) throw new SafetensorsError(`has no tensor '${name}'`, file);
  return e;
}

export async function openSafetensors(file: string): Promise<SafetensorsReader> {
  assertLittleEndian();
  const header = await readSafetensorsHeader(file);
  const fh = await open(file, 'r');
  return {
    header,
    async read(name) {
      const e = entryOf(header, name, file);
      const [s, end] = e.dataOffsets;
      const bytes = new Uint8Array(end - s);
      if (bytes.length > 0) {
        const { bytesRead } = await fh.read(bytes, 0, bytes.length, header.dataStart + s);
        if (bytesRead !== bytes.length) throw new SafetensorsError(`'${name}' was cut short while reading`, file);
      }
      return tensorFrom(e, bytes);
    },
    close: () => fh.close(),
  };
}

/**
 * A reader over safetensors bytes already in memory (`file` names them in errors). Its tensors are views of `bytes`
 * where the element size allows (a file's data is 8-byte aligned, so from a buffer at an aligned offset: all of them),
 * else copies: no second copy of a checkpoint that is only read to build tensors. `bytes` must not change while
 * those views live.
 */
export function safetensorsBytesReader(bytes: Uint8Array, file?: string): SafetensorsReader {
  const header = headerOfBytes(bytes, file);
  return {
    header,
    async read(name) {
      const e = entryOf(header, name, file);
      const [s, end] = e.dataOffsets;
      const at = bytes.byteOffset + header.dataStart + s;
      const Array_ = ARRAY_OF[e.dtype] as unknown as new (b: ArrayBufferLike, at: number, n: number) => TensorData;
      if (at % DTYPE_SIZE[e.dtype] !== 0)
        return tensorFrom(e, bytes.subarray(header.dataStart + s, header.dataStart + end));
      return { dtype: e.dtype, shape: [...e.shape], data: new Array_(bytes.buffer, at, numel(e.shape)) };
    },
    close: async () => {},
  };
}

/** Reads a safetensors file: every tensor, or only `names` (reading just their byte ranges). */
export async function readSafetensorsFile(
  file: string,
  names?: Iterable<string>
): Promise<{ tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> }> {
  return readAllTensors(await openSafetensors(file), names);
}

/** Every tensor of an open reader (or only `names`) and its metadata; closes the reader. */
export async function readAllTensors(
  reader: SafetensorsReader,
  names?: Iterable<string>
): Promise<{ tensors: Map<string, SafetensorsTensor>; metadata: Record<string, string> }> {
  try {
    const tensors = new Map<string, SafetensorsTensor>();
    for (const name of names ?? reader.header.entries.keys()) tensors.set(name, await reader.read(name));
    return { tensors, metadata: reader.header.metadata };
  } finally {
    await reader.close();
  }
}

/** A float tensor's values as float32 (F16/BF16 widened exactly, F64 rounded); integer dtypes are refused. */
export function toFloat32(t: SafetensorsTensor, name = 'tensor'): Float32Array {
  switch (t.dtype) {
    case 'F32':
      return t.data as Float32Array;
    case 'F16':
      return f16ToF32(t.data as Uint16Array);
    case 'BF16':
      return bf16ToF32(t.data as Uint16Array);
    case 'F64':
      return Float32Array.from(t.data as Float64Array);
    default:
      throw new SafetensorsError(`'${name}' is ${t.dtype}; expected a float tensor (F32, F16, BF16 or F64)`);
  }
}

/** An integer tensor's values as int32, refusing values that do not fit (tfjs has no int64). */
export function toInt32(t: SafetensorsTensor, name = 'tensor'): Int32Array {
  switch (t.dtype) {
    case 'I32':
      return t.data as Int32Array;
    case 'I8':
    case 'U8':
    case 'I16':
    case 'U16':
      return Int32Array.from(t.data as ArrayLike<number>);
    case 'I64':
    case 'U64':
    case 'U32': {
      const src = t.data as ArrayLike<number | bigint>;
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const v = Number(src[i]);
        if (v > 2 ** 31 - 1 || v < -(2 ** 31)) {
          throw new SafetensorsError(`'${name}' element ${i} = ${src[i]} does not fit in int32`);
        }
        out[i] = v;
      }
      return out;
    }
    default:
      throw new SafetensorsError(`'${name}' is ${t.dtype}; expected an integer tensor`);
  }
}
