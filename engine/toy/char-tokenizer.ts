/**
 * A tiny character tokenizer with multi-character special tokens, for the engine's own tests and benchmarks (the
 * project's byte-level and Hugging Face tokenizers live in engine/tokenizer/). Specials such as `<answer>` become one
 * token each, which keeps toy sequences short enough to train in seconds on one wasm thread.
 */
import type { Tokenizer } from '../types.ts';

export interface CharTokenizerOptions {
  /** Ordinary characters, one token each. */
  chars: string;
  /** Multi-character tokens matched before single characters (e.g. `<answer>`). */
  specials?: string[];
  /** Written to pad/bos/eos slots; defaults `<pad>`, `<bos>`, `<eos>`. */
  pad?: string;
  bos?: string;
  eos?: string;
}

export class CharTokenizer implements Tokenizer {
  readonly id: string;
  readonly vocabSize: number;
  readonly padId = 0;
  readonly bosId = 1;
  readonly eosId = 2;
  private readonly pieces: string[];
  private readonly lookup = new Map<string, number>();
  private readonly longest: number;

  constructor(options: CharTokenizerOptions) {
    const chars = [...new Set(options.chars)];
    this.pieces = [
      options.pad ?? '<pad>',
      options.bos ?? '<bos>',
      options.eos ?? '<eos>',
      ...(options.specials ?? []),
      ...chars,
    ];
    this.pieces.forEach((piece, i) => {
      if (this.lookup.has(piece)) throw new Error(`char tokenizer: '${piece}' appears twice`);
      this.lookup.set(piece, i);
    });
    this.longest = Math.max(...this.pieces.map((p) => p.length));
    this.vocabSize = this.pieces.length;
    this.id = `char-v1:${JSON.stringify(this.pieces)}`;
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    let i = 0;
    outer: while (i < text.length) {
      for (let len = Math.min(this.longest, text.length - i); len >= 1; len--) {
        const id = this.lookup.get(text.slice(i, i + len));
        if (id !== undefined) {
          ids.push(id);
          i += len;
          continue outer;
        }
      }
      throw new Error(`char tokenizer: character '${text[i]}' at ${i} is not in the vocabulary`);
    }
    return ids;
  }

  decode(ids: number[]): string {
    return ids.map((id) => this.pieces[id] ?? '').join('');
  }
}
