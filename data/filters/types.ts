/** Every filter is a pure function over rows that says what it dropped and why, so the manifest can count it. */
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';

export interface Dropped {
  row: DatasetRow;
  /** A categorical reason (no per-row numbers), so the manifest's counts by reason stay readable. */
  reason: string;
}

export interface FilterResult {
  kept: DatasetRow[];
  dropped: Dropped[];
}

/** Counts of dropped rows by reason. */
export function countReasons(dropped: readonly Dropped[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of dropped) out[d.reason] = (out[d.reason] ?? 0) + 1;
  return out;
}
