/** What a dataset adapter is: one public row layout → zero or more dataset rows (DatasetRow), or a reason it cannot. */
import type { TaskKind } from '../../schemas/experiment/tasks.ts';
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';

/** ShareGPT rules of the task config (`filters.sharegpt`), resolved. */
export interface ShareGptRules {
  /** 'per-turn': one row per assistant turn (GZ); 'last-turn': only the final one. Default 'per-turn'. */
  split: 'per-turn' | 'last-turn';
  /** Conversations with more turns (non-system messages) than this are dropped (OT: 2). Default: no limit. */
  maxTurns?: number;
  /** Assistant replies shorter than this many characters are "overly simple" turns and dropped (GZ). Default 0. */
  minResponseChars: number;
}

export interface AdapterContext {
  /** Task name from the config; every row's `task`. */
  task: string;
  /** Task kind from the config; every row's `kind`. */
  kind: TaskKind;
  /** Seed for anything an adapter randomises (the QA option order), so the same file gives the same rows. */
  seed: number;
  /** ShareGPT rules; only the sharegpt adapter reads them. */
  sharegpt?: ShareGptRules;
}

export interface AdaptOutcome {
  rows: DatasetRow[];
  /** Parts of a valid source row left out by a configured rule (not errors): counted in the manifest, not quarantined. */
  dropped?: { reason: string; count: number }[];
}

export interface DatasetAdapter {
  readonly name: string;
  /** Converts one parsed JSON value; throws AdapterError when the row is malformed (it then goes to the quarantine). */
  adapt(record: unknown, line: number, ctx: AdapterContext): AdaptOutcome;
}

/** A malformed source row: `field` is the source field at fault, so the quarantine reason says what to fix. */
export class AdapterError extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(`${field}: ${message}`);
    this.name = 'AdapterError';
  }
}

export function asObject(record: unknown, what = 'row'): Record<string, unknown> {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new AdapterError(what, `must be a JSON object, got ${Array.isArray(record) ? 'an array' : typeof record}`);
  }
  return record as Record<string, unknown>;
}

export function requireText(o: Record<string, unknown>, field: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v.trim() === '') {
    throw new AdapterError(field, v === undefined ? 'missing' : 'must be a non-empty string');
  }
  return v;
}

/** A gold answer: text, or a number as datasets often store one (kept as its decimal text). */
export function requireAnswer(o: Record<string, unknown>, field: string): string {
  const v = o[field];
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return requireText(o, field);
}

export function optionalText(o: Record<string, unknown>, field: string): string | undefined {
  const v = o[field];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

/** A stable id from the source's own id field when it has one, else the line number. */
export function sourceId(o: Record<string, unknown>, fields: readonly string[], line: number): string {
  for (const f of fields) {
    const v = o[f];
    if ((typeof v === 'string' && v.trim() !== '') || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  }
  return `line-${line}`;
}

/** Meta values kept only when present, so rows stay small and JSON-only. */
export function compactMeta(meta: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}
