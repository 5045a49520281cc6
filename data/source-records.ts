/**
 * A dataset file as a sequence of records, whatever its format: JSONL line by line, Parquet row group by row group.
 * Each record keeps its 1-based line (JSONL) or row (Parquet) number and its text, which is what the quarantine shows.
 */
import type { Readable } from 'node:stream';
import { DataInputError } from './errors.ts';
import { type OpenStore, readJsonlLines } from './jsonl.ts';
import { readParquetRows } from './parquet.ts';

export const SOURCE_FORMATS = ['jsonl', 'parquet'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

export type SourceRecord =
  | { line: number; raw: string; value: unknown }
  /** A JSONL line that is not UTF-8 or not JSON. */
  | { line: number; raw: string; error: string };

/** The explicit format, else 'parquet' for a name ending in .parquet, else 'jsonl'. */
export function formatOf(uri: string, explicit?: SourceFormat): SourceFormat {
  return explicit ?? (/\.parquet$/i.test(uri) ? 'parquet' : 'jsonl');
}

export async function* sourceRecords(
  source: string | Readable,
  format: SourceFormat,
  openStore?: OpenStore
): AsyncGenerator<SourceRecord> {
  if (format === 'parquet') {
    if (typeof source !== 'string')
      throw new DataInputError('uri', 'a Parquet source must be a path or URI (row groups are read by position)');
    for await (const { line, value } of readParquetRows(source, openStore))
      yield { line, raw: JSON.stringify(value), value };
    return;
  }
  for await (const { line, raw, invalidUtf8 } of readJsonlLines(source, openStore)) {
    if (invalidUtf8) {
      yield { line, raw, error: 'utf-8: the line has bytes that are not valid UTF-8 (save the file as UTF-8)' };
      continue;
    }
    try {
      yield { line, raw, value: JSON.parse(raw) };
    } catch (err) {
      yield { line, raw, error: `json: ${(err as Error).message}` };
    }
  }
}
