/**
 * Proportional down-sampling by category to a target total (OT: SuperGPQA to 5,500 by category). Each category gets
 * its share `total · n_c / N` rounded by largest remainder (floors first, then the leftover rows to the largest
 * fractional parts; ties broken by a draw keyed on the seed and the category, then by name), so the total is exact
 * and every quota is within 1 of its exact share. Rows within a category are a seeded sample; kept rows keep their
 * input order. A total at or above the row count keeps everything.
 */
import { hashSeed, nameHash, seededRandom } from '../../rl/random.ts';
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';
import { DataInputError } from '../errors.ts';
import { seededOrder } from './shuffle.ts';
import type { FilterResult } from './types.ts';

export interface CategoryDownsampleOptions {
  /** Rows kept in all. */
  total: number;
  /** Row field holding the category: `category`, another top-level string field, or a key of `meta`. Default 'category'. */
  field?: string;
  /** Seed of the tie-breaks and of the sample within each category. */
  seed: number;
}

/** Rows without a value in the field form this category. */
export const NO_CATEGORY = '(none)';
const DOMAIN = 0x636174; // 'cat'

export function categoryOf(row: DatasetRow, field = 'category'): string {
  const top = (row as Record<string, unknown>)[field];
  const v = typeof top === 'string' ? top : row.meta?.[field];
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : NO_CATEGORY;
}

/** Largest-remainder quotas: category → rows to keep. Exported for tests and for `data inspect`. */
export function categoryQuotas(sizes: Record<string, number>, total: number, seed: number): Record<string, number> {
  const names = Object.keys(sizes).sort();
  const n = names.reduce((s, c) => s + sizes[c], 0);
  if (total >= n) return { ...sizes };
  const exact = names.map((c) => (total * sizes[c]) / n);
  const quota = exact.map(Math.floor);
  let left = total - quota.reduce((s, q) => s + q, 0);
  const order = names
    .map((c, i) => ({ i, frac: exact[i] - quota[i], tie: seededRandom(DOMAIN, seed, nameHash(c)) }))
    .sort((a, b) => b.frac - a.frac || a.tie - b.tie || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    quota[i]++;
    left--;
  }
  return Object.fromEntries(names.map((c, i) => [c, quota[i]]));
}

export function categoryDownsample(rows: readonly DatasetRow[], options: CategoryDownsampleOptions): FilterResult {
  const { total, seed } = options;
  const field = options.field ?? 'category';
  if (!Number.isSafeInteger(total) || total < 1)
    throw new DataInputError('categoryDownsample.total', `must be a whole number ≥ 1, got ${total}`);
  const groups = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const c = categoryOf(row, field);
    const g = groups.get(c);
    if (g) g.push(i);
    else groups.set(c, [i]);
  });
  const quotas = categoryQuotas(Object.fromEntries([...groups].map(([c, g]) => [c, g.length])), total, seed);
  const keep = new Set<number>();
  for (const [c, members] of groups) {
    const order = seededOrder(members.length, hashSeed(seed, nameHash(c)), DOMAIN);
    for (const k of order.slice(0, quotas[c])) keep.add(members[k]);
  }
  const kept: DatasetRow[] = [];
  const dropped: FilterResult['dropped'] = [];
  rows.forEach((row, i) => {
    if (keep.has(i)) kept.push(row);
    else dropped.push({ row, reason: `category down-sampling to ${total}` });
  });
  return { kept, dropped };
}
