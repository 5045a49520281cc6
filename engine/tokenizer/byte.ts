/**
 * Byte-level tokenizer for tiny models: ids 0–255 are the UTF-8 bytes themselves, then pad, bos, eos, then one id per
 * configured tag (`<think>`, `</answer>`, …). The tags matter on small models: spelled out in bytes, the four tags of
 * the response template cost ~34 tokens per sample, and the tfjs probe measured update time growing linearly with
 * tokens (research/tfjs-probe.md), so one id per tag keeps rollouts short.
 */
import { renderChatTemplate } from './chat-template.ts';
import { TokenizerError } from './errors.ts';
import type { ChatMessage, ChatTemplateOptions, ProjectTokenizer, TokenizerSpec } from './types.ts';

export interface ByteTokenizerOptions {
  /**
   * Strings that get one id each, in this order after the specials (default none). Matched greedily, longest first,
   * wherever they appear in the text; everything else is UTF-8 bytes.
   */
  tagTokens?: readonly string[];
  /** Jinja chat template (default none). Specials have no text here: `bos_token`/`eos_token` render as ''. */
  chatTemplate?: string;
}

/** Id of the first special: ids below are bytes. */
const FIRST_SPECIAL = 256;
const PAD = 256;
const BOS = 257;
const EOS = 258;
const FIRST_TAG = 259;

export class ByteTokenizer implements ProjectTokenizer {
  /** `byte-v1` without tags; with tags the list is part of the id, because it changes what the ids mean. */
  readonly id: string;
  readonly vocabSize: number;
  readonly padId = PAD;
  readonly bosId = BOS;
  readonly eosId = EOS;
  readonly tagTokens: readonly string[];
  readonly chatTemplate: string | null;
  readonly spec: TokenizerSpec;
  private readonly tagIds = new Map<string, number>();
  /** Tags by first UTF-16 unit, longest first, so matching tries only the few tags that can start here. */
  private readonly tagsByFirst = new Map<string, string[]>();
  private readonly encoder = new TextEncoder();

  constructor(options: ByteTokenizerOptions = {}) {
    this.tagTokens = [...(options.tagTokens ?? [])];
    this.chatTemplate = options.chatTemplate ?? null;
    this.spec = {
      type: 'byte',
      ...(this.tagTokens.length > 0 && { tagTokens: [...this.tagTokens] }),
      ...(options.chatTemplate !== undefined && { chatTemplate: options.chatTemplate }),
    };
    for (const tag of this.tagTokens) {
      if (tag.length === 0) throw new TokenizerError('byte tokenizer: a tag token cannot be empty');
      if (/\p{Cs}/u.test(tag))
        throw new TokenizerError(`byte tokenizer: tag token ${JSON.stringify(tag)} has a lone surrogate`);
      if (this.tagIds.has(tag)) throw new TokenizerError(`byte tokenizer: tag token '${tag}' is listed twice`);
      this.tagIds.set(tag, FIRST_TAG + this.tagIds.size);
      const list = this.tagsByFirst.get(tag[0]) ?? [];
      list.push(tag);
      list.sort((a, b) => b.length - a.length);
      this.tagsByFirst.set(tag[0], list);
    }
    this.vocabSize = FIRST_TAG + this.tagTokens.length;
    this.id = this.tagTokens.length === 0 ? 'byte-v1' : `byte-v1:${JSON.stringify(this.tagTokens)}`;
  }

  /**
   * Ids of `text` (no bos/eos added). Lone UTF-16 surrogates are not Unicode and become U+FFFD, as in any UTF-8
   * encoder; every well-formed string round-trips exactly through {@link decode}.
   */
  encode(text: string): number[] {
    const ids: number[] = [];
    let start = 0;
    const flush = (end: number) => {
      if (end > start) for (const b of this.encoder.encode(text.slice(start, end))) ids.push(b);
    };
    if (this.tagsByFirst.size > 0) {
      for (let i = 0; i < text.length; ) {
        const tag = this.tagsByFirst.get(text[i])?.find((t) => text.startsWith(t, i));
        if (tag === undefined) {
          i++;
          continue;
        }
        flush(i);
        ids.push(this.tagIds.get(tag)!);
        i += tag.length;
        start = i;
      }
    }
    flush(text.length);
    return ids;
  }

  /**
   * Text of `ids`: bytes decoded as UTF-8 (an invalid sequence, e.g. a sample cut mid-character, becomes U+FFFD),
   * tags as their text, pad/bos/eos dropped (they have no text).
   */
  decode(ids: number[]): string {
    let out = '';
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length > 0) out += Buffer.from(bytes).toString('utf8');
      bytes = [];
    };
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new TokenizerError(`byte tokenizer: id ${id} is outside the vocabulary 0..${this.vocabSize - 1}`);
      }
      if (id < FIRST_SPECIAL) bytes.push(id);
      else if (id >= FIRST_TAG) {
        flush();
        out += this.tagTokens[id - FIRST_TAG];
      }
    }
    flush();
    return out;
  }

  /** The id of a tag or special token by its text (`<pad>`, `<bos>`, `<eos>` name the specials). */
  tokenToId(token: string): number | undefined {
    if (token === '<pad>') return PAD;
    if (token === '<bos>') return BOS;
    if (token === '<eos>') return EOS;
    return this.tagIds.get(token);
  }

  applyChatTemplate(messages: ChatMessage[], options?: ChatTemplateOptions): string {
    if (this.chatTemplate === null) {
      throw new TokenizerError(`byte tokenizer has no chat template: pass 'chatTemplate' in its spec`);
    }
    return renderChatTemplate(this.chatTemplate, messages, options, { bos_token: '', eos_token: '', pad_token: '' });
  }
}
