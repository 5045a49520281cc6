/**
 * Streams JSONL from a local path or a blob store URI (`file://…`, `s3://bucket/key.jsonl`) one line at a time, so a
 * dataset of any size is never held as one string. Lines are numbered from 1 as an editor shows them; blank lines are
 * skipped (a trailing newline is common and is not a bad row).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DataInputError } from './errors.ts';

/** The read side of a blob store, enough to fetch an `s3://` source. */
export interface ObjectReader {
  getStream(key: string): Promise<Readable>;
  getToFile(key: string, localPath: string): Promise<void>;
}

/**
 * Opens the blob store at a base URI (`s3://bucket/prefix`). The caller passes storage/open.ts's `openBlobStore`, so
 * data/ reads object stores without depending on the storage layer.
 */
export type OpenStore = (base: string) => ObjectReader;

export interface JsonlLine {
  /** 1-based line number in the file. */
  line: number;
  /** The line's text without its line ending (an invalid UTF-8 sequence shows as U+FFFD). */
  raw: string;
  /** Set when the line's bytes are not valid UTF-8: its text is damaged, so the row must not be used as it reads. */
  invalidUtf8?: true;
}

/** Splits a URI naming one object into the store's folder and the object's key. */
export function splitObjectUri(uri: string): { base: string; key: string } {
  const scheme = uri.startsWith('s3://') ? 's3://' : uri.startsWith('file://') ? 'file://' : '';
  const rest = uri.slice(scheme.length);
  const cut = rest.lastIndexOf('/');
  if (scheme === 's3://' && cut <= 0)
    throw new DataInputError('uri', `'${uri}' names a bucket, not an object: use s3://bucket/path/file.jsonl`);
  const key = rest.slice(cut + 1);
  if (key === '') throw new DataInputError('uri', `'${uri}' ends with '/': name a .jsonl or .parquet file`);
  return { base: `${scheme}${cut < 0 ? '.' : rest.slice(0, cut) || '/'}`, key };
}

/** The store holding the `s3://` object `source`, and the object's key in it. */
export function objectOf(source: string, openStore: OpenStore | undefined): { store: ObjectReader; key: string } {
  const { base, key } = splitObjectUri(source);
  if (!openStore)
    throw new DataInputError('uri', `'${source}' is in an object store: pass openStore (storage/open.ts) to read it`);
  return { store: openStore(base), key };
}

/** A readable stream of the object at `source`: a plain path, `file://path`, or `s3://bucket/key` (through `openStore`). */
export async function openSource(source: string, openStore?: OpenStore): Promise<Readable> {
  if (typeof source !== 'string' || source === '') throw new DataInputError('uri', 'must be a non-empty path or URI');
  if (source.startsWith('s3://')) {
    const { store, key } = objectOf(source, openStore);
    return store.getStream(key);
  }
  return createReadStream(await localFile(source));
}

/** The absolute path of a local `source` (plain path or `file://path`) that names an existing file. */
export async function localFile(source: string): Promise<string> {
  const local = source.startsWith('file://') ? source.slice('file://'.length) : source;
  const abs = path.resolve(local);
  const info = await stat(abs).catch(() => null);
  if (info === null) throw new DataInputError('uri', `no file at ${abs} (from '${source}'): check the path`);
  if (!info.isFile()) throw new DataInputError('uri', `${abs} is not a file: name a .jsonl or .parquet file`);
  return abs;
}

// Lines are decoded one by one from their bytes, so a line that is not valid UTF-8 is caught (and quarantined by the
// loader) instead of entering the dataset with U+FFFD in place of its damaged characters.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lossyUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function decodeLine(bytes: Uint8Array): { text: string; invalidUtf8?: true } {
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    return { text: lossyUtf8.decode(bytes), invalidUtf8: true };
  }
}

/** Yields each non-blank line of a JSONL source with its line number. A UTF-8 byte-order mark at the start is skipped. */
export async function* readJsonlLines(source: string | Readable, openStore?: OpenStore): AsyncGenerator<JsonlLine> {
  const stream = typeof source === 'string' ? await openSource(source, openStore) : source;
  let parts: Buffer[] = []; // the bytes of the line being read, as they arrived
  let line = 0;
  const emit = function* (bytes: Uint8Array): Generator<JsonlLine> {
    line++;
    let { text, invalidUtf8 } = decodeLine(bytes);
    if (line === 1 && text.startsWith('\uFEFF')) text = text.slice(1);
    const raw = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (raw.trim() !== '') yield invalidUtf8 ? { line, raw, invalidUtf8 } : { line, raw };
  };
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string | Uint8Array);
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      parts.push(buf.subarray(start, nl));
      yield* emit(Buffer.concat(parts));
      parts = [];
      start = nl + 1;
    }
    if (start < buf.length) parts.push(buf.subarray(start));
  }
  if (parts.length > 0) yield* emit(Buffer.concat(parts));
}

/** Serialises rows as JSONL (one JSON object per line, trailing newline); the bytes whose sha256 the manifest records. */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}
