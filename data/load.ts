/**
 * Source → adapter → schema, row by row (SPEC §7): every JSONL line or Parquet row is parsed, adapted and validated
 * against the dataset-row schema; a record failing any of the three goes to the quarantine with the reason and the run
 * goes on.
 */
import type { Readable } from 'node:stream';
import { parseCodeTests } from '../rewards/sandbox/run-tests.ts';
import { parseConstraints } from '../rewards/writing/constraints.ts';
import { type DatasetRow, datasetRowSchema } from '../schemas/records/dataset-row.ts';
import { type AdapterContext, adapterByName, type DatasetAdapter } from './adapters/index.ts';
import type { OpenStore } from './jsonl.ts';
import { Quarantine } from './quarantine.ts';
import { formatOf, type SourceFormat, sourceRecords } from './source-records.ts';

export interface LoadOptions {
  /** Quarantine to add bad rows to; a new one by default (pass one to share it between train and held-out files). */
  quarantine?: Quarantine;
  /** Called every `progressEvery` lines and at the end with (lines read, total unknown = 0) — a streamed file has no total. */
  onProgress?: (done: number, total: number) => void;
  /** Lines between progress calls. Default 1000. */
  progressEvery?: number;
  /** 'jsonl' or 'parquet'. Default: from the source's name (.parquet), jsonl for a stream. */
  format?: SourceFormat;
  /** Opens the blob store of an `s3://` source (storage/open.ts's `openBlobStore`); required for such sources. */
  openStore?: OpenStore;
}

export interface LoadResult {
  rows: DatasetRow[];
  quarantine: Quarantine;
  /** Records read: non-blank JSONL lines or Parquet rows. */
  lines: number;
  /** Parts of valid rows left out by the adapter's configured rules (ShareGPT), by reason. */
  adapterDropped: Record<string, number>;
}

function zodReason(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.') || 'row'}: ${i.message}`)
    .join('; ');
}

/**
 * What the row's verifier will need, checked now so a row that could never be scored is quarantined at load time
 * rather than failing at its first rollout: verifiable kinds need a gold answer, code needs valid tests, and any
 * writing constraints must be valid records. Returns the problem, or null.
 */
export function verifierProblem(row: DatasetRow): string | null {
  try {
    const hasGold = row.reference?.trim() || row.accepted?.some((a) => a.trim() !== '');
    if ((row.kind === 'math' || row.kind === 'stem' || row.kind === 'qa') && !hasGold) {
      return `a ${row.kind} row needs a reference (or accepted answers) to verify against`;
    }
    if (row.kind === 'code') {
      if (row.tests === undefined) return 'a code row needs tests';
      parseCodeTests(row.tests);
    }
    if (row.constraints !== undefined) parseConstraints(row.constraints);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export async function loadRows(
  source: string | Readable,
  adapter: DatasetAdapter | string,
  ctx: AdapterContext,
  options: LoadOptions = {}
): Promise<LoadResult> {
  const a = typeof adapter === 'string' ? adapterByName(adapter) : adapter;
  const quarantine = options.quarantine ?? new Quarantine();
  const every = options.progressEvery ?? 1000;
  const rows: DatasetRow[] = [];
  const ids = new Set<string>();
  const adapterDropped: Record<string, number> = {};
  let lines = 0;
  const format = options.format ?? (typeof source === 'string' ? formatOf(source) : 'jsonl');
  for await (const record of sourceRecords(source, format, options.openStore)) {
    const { line, raw } = record;
    lines++;
    if (options.onProgress && lines % every === 0) options.onProgress(lines, 0);
    if ('error' in record) {
      quarantine.add(line, record.error, raw);
      continue;
    }
    const { value } = record;
    let outcome: ReturnType<DatasetAdapter['adapt']>;
    try {
      outcome = a.adapt(value, line, ctx);
    } catch (err) {
      quarantine.add(line, `adapter ${a.name}: ${(err as Error).message}`, raw);
      continue;
    }
    for (const d of outcome.dropped ?? []) adapterDropped[d.reason] = (adapterDropped[d.reason] ?? 0) + d.count;
    for (const candidate of outcome.rows) {
      const parsed = datasetRowSchema.safeParse(candidate);
      if (!parsed.success) {
        quarantine.add(line, `schema: ${zodReason(parsed.error.issues)}`, raw);
        continue;
      }
      const problem = verifierProblem(parsed.data);
      if (problem !== null) {
        quarantine.add(line, `verifier: ${problem}`, raw);
        continue;
      }
      if (ids.has(parsed.data.id)) {
        quarantine.add(line, `id: '${parsed.data.id}' already used by an earlier row (ids must be unique)`, raw);
        continue;
      }
      ids.add(parsed.data.id);
      rows.push(parsed.data);
    }
  }
  options.onProgress?.(lines, lines);
  return { rows, quarantine, lines, adapterDropped };
}
