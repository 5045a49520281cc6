/** Turning (prompt, response) pairs into right-padded scoring batches. */
import type { TokenBatch } from './logprobs.ts';

export interface PromptResponse {
  /** Prompt token ids (including BOS if the tokenizer uses one). */
  prompt: number[];
  /** Response token ids, including the EOS or stop tokens that ended it. */
  response: number[];
}

/** ids = prompt + response right-padded with `padId`; mask 1 on response tokens (0 for rows with `drop`). */
export function toTokenBatch(rows: PromptResponse[], padId: number, drop?: (i: number) => boolean): TokenBatch {
  const length = Math.max(2, ...rows.map((r) => r.prompt.length + r.response.length));
  const ids: number[][] = [];
  const mask: number[][] = [];
  rows.forEach((r, i) => {
    if (r.prompt.length === 0) throw new Error(`sample ${i}: empty prompt (encode at least a BOS token)`);
    const seq = [...r.prompt, ...r.response];
    const m = new Array(length).fill(0);
    if (!drop?.(i)) for (let t = r.prompt.length; t < seq.length; t++) m[t] = 1;
    while (seq.length < length) seq.push(padId);
    ids.push(seq);
    mask.push(m);
  });
  return { ids, mask };
}

/** Splits 0..n-1 into consecutive groups of at most `size`. */
export function chunks(n: number, size: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < n; s += size) out.push(Array.from({ length: Math.min(size, n - s) }, (_, i) => s + i));
  return out;
}
