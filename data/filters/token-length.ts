/**
 * Length filter: drop prompts longer than `maxTokens` policy tokens (OT drops code prompts over 1,024). The count
 * covers the prompt and any context turns, since all of it occupies the window. The token counter is passed in (the
 * policy's tokenizer); `utf8Bytes` is the byte-level tokenizer's count and an upper bound for BPE tokenizers.
 */
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';
import { DataInputError } from '../errors.ts';
import type { FilterResult } from './types.ts';

export type CountTokens = (text: string) => number;

export const utf8Bytes: CountTokens = (text) => Buffer.byteLength(text, 'utf8');

export interface TokenLengthOptions {
  /** Longest prompt kept, in policy tokens (prompt plus context). */
  maxTokens: number;
  /** Token count of a text. Default utf8Bytes. */
  countTokens?: CountTokens;
}

export function promptTokens(row: DatasetRow, countTokens: CountTokens = utf8Bytes): number {
  return countTokens(row.prompt) + (row.context ?? []).reduce((s, m) => s + countTokens(m.content), 0);
}

export function tokenLengthFilter(rows: readonly DatasetRow[], options: TokenLengthOptions): FilterResult {
  const { maxTokens } = options;
  if (!Number.isSafeInteger(maxTokens) || maxTokens < 1) {
    throw new DataInputError('maxPromptTokens', `must be a whole number ≥ 1, got ${maxTokens}`);
  }
  const count = options.countTokens ?? utf8Bytes;
  const reason = `prompt over ${maxTokens} tokens`;
  const kept: DatasetRow[] = [];
  const dropped: FilterResult['dropped'] = [];
  for (const row of rows) {
    if (promptTokens(row, count) > maxTokens) dropped.push({ row, reason });
    else kept.push(row);
  }
  return { kept, dropped };
}
