/**
 * Streams the rows of a Parquet file (the format of the Hugging Face Hub and of verl's data recipes) one row group at
 * a time through hyparquet: the footer first, then a row group's column chunks only once the rows before it have been
 * consumed, so memory holds one row group, never the file. Nested columns (lists of chat messages, structs such as
 * verl's `reward_model`) arrive as plain arrays and objects; INT64 values as numbers when exact, else decimal text;
 * so a row is the same JSON value its JSONL export would be. Codecs: every one pyarrow and polars write — snappy
 * (pyarrow's and `datasets`' default), zstd (polars' default), gzip, brotli, lz4 — through hyparquet-compressors.
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DataInputError } from './errors.ts';
import { localFile, type OpenStore, objectOf } from './jsonl.ts';

export interface ParquetRow {
  /** 1-based row number in the file, as the quarantine reports it. */
  line: number;
  value: Record<string, unknown>;
}

/** A Parquet file opened for random reads, named for error messages; close it when done. */
export interface ParquetFile {
  file: AsyncBuffer;
  name: string;
  close(): Promise<void>;
}

/** Reads by position through one file handle (hyparquet asks for the footer, then one column chunk at a time). */
async function fileBuffer(abs: string): Promise<{ file: AsyncBuffer; close: () => Promise<void> }> {
  const handle = await open(abs, 'r');
  const { size } = await handle.stat();
  const file: AsyncBuffer = {
    byteLength: size,
    async slice(start, end = size) {
      // A corrupt footer can hold offsets that are not positions at all. hyparquet prefetches chunks without awaiting
      // each, so a read that threw here would surface as a stray rejection past the error handling below; no bytes
      // instead make the reader fail where it parses the chunk, inside that handling.
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > size)
        return new ArrayBuffer(0);
      const bytes = new Uint8Array(Math.max(0, Math.min(end, size) - start));
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
      return bytesRead === bytes.length ? bytes.buffer : bytes.buffer.slice(0, bytesRead);
    },
  };
  return { file, close: () => handle.close() };
}

/**
 * A local path, `file://path`, or `s3://bucket/key.parquet` (through `openStore`, downloaded to a temporary file,
 * streamed to disk).
 */
export async function openParquet(source: string, openStore?: OpenStore): Promise<ParquetFile> {
  if (!source.startsWith('s3://')) {
    const abs = await localFile(source);
    return { ...(await fileBuffer(abs)), name: abs };
  }
  const { store, key } = objectOf(source, openStore);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-parquet-'));
  try {
    const local = path.join(dir, 'data.parquet');
    await store.getToFile(key, local);
    const { file, close } = await fileBuffer(local);
    return { file, name: source, close: () => close().finally(() => rm(dir, { recursive: true, force: true })) };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** JSON the adapters accept: exact INT64 as numbers, others as text; dates as ISO text; bytes and typed arrays as lists. */
export function jsonOf(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(jsonOf);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<unknown>, jsonOf);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonOf(x)]));
  return v;
}

const why = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function footer(p: ParquetFile): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(p.file);
  } catch (err) {
    throw new DataInputError(
      'uri',
      `${p.name} is not a readable Parquet file (${why(err)}): it may be truncated or not Parquet at all`
    );
  }
}

/** Yields every row of the file, reading one row group at a time as the caller consumes them. */
export async function* parquetRows(p: ParquetFile): AsyncGenerator<ParquetRow> {
  const metadata = await footer(p);
  const groups = metadata.row_groups;
  let start = 0;
  for (const [i, group] of groups.entries()) {
    const end = start + Number(group.num_rows);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({ file: p.file, metadata, rowStart: start, rowEnd: end, compressors });
    } catch (err) {
      throw new DataInputError(
        'uri',
        `${p.name}: row group ${i + 1} of ${groups.length} (rows ${start + 1}–${end}) cannot be read (${why(err)}): the file is corrupt or truncated`
      );
    }
    for (const [k, row] of rows.entries()) yield { line: start + k + 1, value: jsonOf(row) as Record<string, unknown> };
    start = end;
  }
}

/** Every row of the Parquet file at `source`, one row group in memory at a time. */
export async function* readParquetRows(source: string, openStore?: OpenStore): AsyncGenerator<ParquetRow> {
  const p = await openParquet(source, openStore);
  try {
    yield* parquetRows(p);
  } finally {
    await p.close();
  }
}
