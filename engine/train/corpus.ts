/**
 * Pretraining corpora: `.jsonl` rows `{"prompt", "response"}` (loss on the response) or `{"text"}` (loss on every
 * token), or `.txt` with one example per non-empty line (loss on every token). Texts longer than the model's
 * window are cut into window-sized pieces rather than dropped.
 */
import { readFileSync } from 'node:fs';
import type { Tokenizer } from '../types.ts';
import type { PromptResponse } from './batch.ts';

export interface CorpusStats {
  rows: number;
  examples: number;
  tokens: number;
  /** Examples cut into pieces because they exceeded the window. */
  split: number;
}

function withBos(tokenizer: Tokenizer): number[] {
  return tokenizer.bosId === null ? [] : [tokenizer.bosId];
}

/** Parses corpus text (`format` from the file extension) into tokenised examples. */
export function parseCorpus(
  text: string,
  format: 'jsonl' | 'txt',
  tokenizer: Tokenizer,
  maxPositions: number
): { examples: PromptResponse[]; stats: CorpusStats } {
  const examples: PromptResponse[] = [];
  const stats: CorpusStats = { rows: 0, examples: 0, tokens: 0, split: 0 };
  const bos = withBos(tokenizer);
  const addText = (body: string) => {
    const ids = [...tokenizer.encode(body), tokenizer.eosId];
    // Plain text with no BOS still needs one context token before the first scored one.
    const prompt = bos.length > 0 ? bos : [ids.shift()!];
    const room = maxPositions - prompt.length;
    if (ids.length > room) stats.split++;
    for (let s = 0; s < ids.length; s += room) examples.push({ prompt, response: ids.slice(s, s + room) });
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    stats.rows++;
    if (format === 'txt') {
      addText(line);
      return;
    }
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new Error(`corpus line ${i + 1}: not JSON (expected {"prompt","response"} or {"text"})`);
    }
    const r = row as Record<string, unknown>;
    if (typeof r.prompt === 'string' && typeof r.response === 'string') {
      const prompt = [...bos, ...tokenizer.encode(r.prompt)];
      const response = [...tokenizer.encode(r.response), tokenizer.eosId];
      if (prompt.length === 0) throw new Error(`corpus line ${i + 1}: empty prompt and the tokenizer has no BOS`);
      if (prompt.length + response.length > maxPositions) {
        throw new Error(
          `corpus line ${i + 1}: ${prompt.length + response.length} tokens exceed the model's ${maxPositions}; shorten it or use a larger preset`
        );
      }
      examples.push({ prompt, response });
    } else if (typeof r.text === 'string') {
      addText(r.text);
    } else {
      throw new Error(`corpus line ${i + 1}: expected string fields {"prompt","response"} or {"text"}`);
    }
  });
  stats.examples = examples.length;
  stats.tokens = examples.reduce((n, e) => n + e.prompt.length + e.response.length, 0);
  if (examples.length === 0) throw new Error('corpus: no examples (the file is empty)');
  return { examples, stats };
}

export function readCorpus(
  file: string,
  tokenizer: Tokenizer,
  maxPositions: number
): { examples: PromptResponse[]; stats: CorpusStats; text: string } {
  const format = file.endsWith('.jsonl') ? 'jsonl' : file.endsWith('.txt') ? 'txt' : null;
  if (!format) throw new Error(`corpus '${file}': use a .jsonl ({"prompt","response"} or {"text"} rows) or .txt file`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read corpus '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return { ...parseCorpus(text, format, tokenizer, maxPositions), text };
}
