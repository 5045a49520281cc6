/**
 * Held-out split and seeded subsampling. The held-out rows are a seeded sample; training then loses every row that
 * shares an id or a normalised prompt (dedup.ts 'normalised') with a held-out row, so no evaluation question is
 * trained on even in another spelling.
 */
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';
import { DataInputError } from '../errors.ts';
import { dedupKey } from './dedup.ts';
import { seededOrder } from './shuffle.ts';
import type { FilterResult } from './types.ts';

const SPLIT_DOMAIN = 0x73706c; // 'spl'
const SAMPLE_DOMAIN = 0x736d70; // 'smp'

/** Removes from `train` every row sharing an id or a normalised prompt with `heldOut`. */
export function disjointFromHeldOut(train: readonly DatasetRow[], heldOut: readonly DatasetRow[]): FilterResult {
  const ids = new Set(heldOut.map((r) => r.id));
  const keys = new Set(heldOut.map((r) => dedupKey(r, 'normalised')));
  const kept: DatasetRow[] = [];
  const dropped: FilterResult['dropped'] = [];
  for (const row of train) {
    if (ids.has(row.id)) dropped.push({ row, reason: 'same id as a held-out row' });
    else if (keys.has(dedupKey(row, 'normalised'))) dropped.push({ row, reason: 'same prompt as a held-out row' });
    else kept.push(row);
  }
  return { kept, dropped };
}

export interface HeldOutSplit {
  train: DatasetRow[];
  heldOut: DatasetRow[];
  /** Training rows removed because they repeat a held-out row. */
  dropped: FilterResult['dropped'];
}

/** Splits `size` seeded rows off for evaluation (input order kept on both sides). */
export function splitHeldOut(rows: readonly DatasetRow[], size: number, seed: number): HeldOutSplit {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new DataInputError('heldOutSize', `must be a whole number ≥ 0, got ${size}`);
  if (size >= rows.length && size > 0) {
    throw new DataInputError('heldOutSize', `is ${size} but only ${rows.length} rows remain after filtering; lower it`);
  }
  const chosen = new Set(seededOrder(rows.length, seed, SPLIT_DOMAIN).slice(0, size));
  const heldOut = rows.filter((_, i) => chosen.has(i));
  const rest = rows.filter((_, i) => !chosen.has(i));
  const d = disjointFromHeldOut(rest, heldOut);
  return { train: d.kept, heldOut, dropped: d.dropped };
}

/** A seeded sample of `n` rows in input order (all of them when n ≥ rows). */
export function seededSample(rows: readonly DatasetRow[], n: number, seed: number): FilterResult {
  if (n >= rows.length) return { kept: [...rows], dropped: [] };
  const chosen = new Set(seededOrder(rows.length, seed, SAMPLE_DOMAIN).slice(0, n));
  const kept: DatasetRow[] = [];
  const dropped: FilterResult['dropped'] = [];
  rows.forEach((row, i) => {
    if (chosen.has(i)) kept.push(row);
    else dropped.push({ row, reason: `subsample to ${n}` });
  });
  return { kept, dropped };
}
