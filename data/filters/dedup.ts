/**
 * Deduplication by prompt (with its context: the same question after a different conversation is a different sample).
 * Modes:
 * - `exact`: the texts as they are.
 * - `whitespace`: runs of whitespace collapsed to one space, ends trimmed (the config's `dedup: true`).
 * - `normalised`: Unicode NFKC, lower case, every punctuation character replaced by a space — except `-`, `.`, `/` and
 *   `,` touching a digit, so `-5` ≠ `5` and `1.5` ≠ `15` — then whitespace as above. Symbols (`+`, `=`, `>`) are kept,
 *   so `2+3` ≠ `2*3`. Used for held-out disjointness.
 * The first occurrence is kept.
 */
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';
import type { FilterResult } from './types.ts';

export type DedupMode = 'exact' | 'whitespace' | 'normalised';
export const DEDUP_MODES: readonly DedupMode[] = ['exact', 'whitespace', 'normalised'];

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

export function normaliseText(text: string, mode: DedupMode): string {
  if (mode === 'exact') return text;
  if (mode === 'whitespace') return collapse(text);
  const s = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\p{P}/gu, (ch, at: number, all: string) =>
      '-./,'.includes(ch) && (/\d/.test(all[at - 1] ?? '') || /\d/.test(all[at + 1] ?? '')) ? ch : ' '
    );
  return collapse(s);
}

/** The text two rows share when they are duplicates under `mode`. */
export function dedupKey(row: Pick<DatasetRow, 'prompt' | 'context'>, mode: DedupMode): string {
  const ctx = (row.context ?? []).map((m) => `${m.role}\u0001${normaliseText(m.content, mode)}`).join('\u0002');
  return `${ctx}\u0003${normaliseText(row.prompt, mode)}`;
}

export function dedupRows(rows: readonly DatasetRow[], mode: DedupMode = 'whitespace'): FilterResult {
  const seen = new Set<string>();
  const kept: DatasetRow[] = [];
  const dropped: FilterResult['dropped'] = [];
  const reason = `duplicate prompt (${mode})`;
  for (const row of rows) {
    const key = dedupKey(row, mode);
    if (seen.has(key)) dropped.push({ row, reason });
    else {
      seen.add(key);
      kept.push(row);
    }
  }
  return { kept, dropped };
}
