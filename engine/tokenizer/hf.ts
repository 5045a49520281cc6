/**
 * A Hugging Face `tokenizer.json` (+ optional `tokenizer_config.json`) run by @huggingface/tokenizers. Its id is the
 * sha256 of the tokenizer.json bytes: two files that differ in any merge or added token are different vocabularies,
 * and a checkpoint records which one its embeddings index.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer as HfRuntime } from '@huggingface/tokenizers';
import { renderChatTemplate } from './chat-template.ts';
import { TokenizerError } from './errors.ts';
import type { ChatMessage, ChatTemplateOptions, ProjectTokenizer, TokenizerSpec } from './types.ts';

export interface HfTokenizerOptions {
  /** Jinja chat template, replacing the config's `chat_template`. */
  chatTemplate?: string;
  /** End-of-sequence token text, replacing the config's `eos_token`. */
  eosToken?: string;
  /** Padding token text, replacing the config's `pad_token` (default: the eos token when neither says). */
  padToken?: string;
}

/** The two files of a Hugging Face tokenizer, as found on disk. */
export interface HfTokenizerFiles {
  tokenizerJson: string;
  /** Absent when the directory has no tokenizer_config.json. */
  tokenizerConfig?: string;
  /** `chat_template.jinja`, where recent `transformers` versions save the template; absent when there is none. */
  chatTemplate?: string;
}

/** `path` may be the tokenizer.json itself or its directory; tokenizer_config.json is looked for beside it. */
export function findHfTokenizerFiles(p: string): HfTokenizerFiles {
  if (!existsSync(p)) throw new TokenizerError('no such file or directory: give a tokenizer.json or its directory', p);
  const tokenizerJson = statSync(p).isDirectory() ? path.join(p, 'tokenizer.json') : p;
  if (!existsSync(tokenizerJson)) {
    throw new TokenizerError('directory has no tokenizer.json (the fast-tokenizer file of a Hugging Face model)', p);
  }
  const dir = path.dirname(tokenizerJson);
  const config = path.join(dir, 'tokenizer_config.json');
  const template = path.join(dir, 'chat_template.jinja');
  return {
    tokenizerJson,
    ...(existsSync(config) && { tokenizerConfig: config }),
    ...(existsSync(template) && { chatTemplate: template }),
  };
}

/** tokenizer_config.json writes special tokens either as a string or as an AddedToken object. */
function tokenText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return null;
}

/** End-of-text names used by common families, tried when the config names no eos token. */
const EOS_FALLBACKS = ['<|endoftext|>', '<|im_end|>', '</s>', '<eos>', '<|end_of_text|>'];

function parseJson(text: string, file: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch (e) {
    throw new TokenizerError(`is not valid JSON (${(e as Error).message})`, file);
  }
  throw new TokenizerError('is not a JSON object', file);
}

/**
 * tokenizer_config.json's `chat_template`: a string, or (tool-use models) a list of `{ name, template }` of which
 * `transformers` uses the one named 'default'.
 */
function configTemplate(value: unknown, file: string | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value.find((t) => t?.name === 'default');
    if (typeof named?.template === 'string') return named.template;
  }
  throw new TokenizerError(
    `chat_template is not a string nor a list with a template named 'default'; pass the one to use as chatTemplate`,
    file
  );
}

export class HfTokenizer implements ProjectTokenizer {
  /** sha256 (hex) of the tokenizer.json bytes. */
  readonly id: string;
  /** Largest token id + 1 (the model's embedding may be larger: Qwen pads its vocabulary). */
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number;
  readonly padId: number;
  readonly chatTemplate: string | null;
  /** The files this tokenizer was read from (copied into checkpoints). */
  readonly files: HfTokenizerFiles;
  readonly spec: TokenizerSpec;
  private readonly runtime: HfRuntime;
  private readonly vocab: Map<string, number>;
  private readonly validIds: Set<number>;
  private readonly specialsText: { bos_token: string | null; eos_token: string; pad_token: string };

  constructor(source: string, options: HfTokenizerOptions = {}) {
    this.files = findHfTokenizerFiles(source);
    this.spec = { type: 'hf', path: source, ...options };
    const jsonBytes = readFileSync(this.files.tokenizerJson);
    this.id = createHash('sha256').update(jsonBytes).digest('hex');
    const json = parseJson(jsonBytes.toString('utf8'), this.files.tokenizerJson);
    const config = this.files.tokenizerConfig
      ? parseJson(readFileSync(this.files.tokenizerConfig, 'utf8'), this.files.tokenizerConfig)
      : {};
    try {
      this.runtime = new HfRuntime(json, config);
    } catch (e) {
      throw new TokenizerError(
        `cannot be loaded by @huggingface/tokenizers: ${(e as Error).message}`,
        this.files.tokenizerJson
      );
    }
    this.vocab = this.runtime.get_vocab(true);
    this.validIds = new Set(this.vocab.values());
    // A loop, not Math.max(...ids): 150k arguments overflow the stack.
    let maxId = -1;
    for (const id of this.validIds) if (id > maxId) maxId = id;
    this.vocabSize = maxId + 1;

    const idOf = (text: string, what: string): number => {
      const id = this.vocab.get(text);
      if (id === undefined) {
        throw new TokenizerError(`${what} '${text}' is not in the vocabulary`, this.files.tokenizerJson);
      }
      return id;
    };
    const eosText =
      options.eosToken ?? tokenText(config.eos_token) ?? EOS_FALLBACKS.find((t) => this.vocab.has(t)) ?? null;
    if (eosText === null) {
      throw new TokenizerError(
        `no end-of-sequence token: tokenizer_config.json has no eos_token and none of ${EOS_FALLBACKS.join(' ')} is in the vocabulary; pass eosToken`,
        this.files.tokenizerJson
      );
    }
    this.eosId = idOf(eosText, 'eos token');
    const padText = options.padToken ?? tokenText(config.pad_token) ?? eosText;
    this.padId = idOf(padText, 'pad token');
    const bosText = tokenText(config.bos_token);
    this.bosId = bosText === null ? null : idOf(bosText, 'bos token');
    this.specialsText = { bos_token: bosText, eos_token: eosText, pad_token: padText };

    this.chatTemplate =
      options.chatTemplate ??
      configTemplate(config.chat_template, this.files.tokenizerConfig) ??
      (this.files.chatTemplate ? readFileSync(this.files.chatTemplate, 'utf8') : null);
  }

  /**
   * Ids of `text` without added bos/eos (the chat template places specials). Special-token text in `text` (e.g.
   * `<|im_end|>`) becomes that token, as in `transformers`; strip it from untrusted text first.
   */
  encode(text: string): number[] {
    return this.runtime.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * Text of `ids`, specials included, with no clean-up of spaces: `decode(encode(s))` gives back `s` up to the
   * tokenizer's normalizer (NFC for Qwen), which is what reward functions must see.
   */
  decode(ids: number[]): string {
    if (ids.length === 0) return '';
    for (const id of ids) {
      if (!this.validIds.has(id)) {
        throw new TokenizerError(
          `id ${id} is not in the vocabulary (0..${this.vocabSize - 1})`,
          this.files.tokenizerJson
        );
      }
    }
    return this.runtime.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }

  applyChatTemplate(messages: ChatMessage[], options?: ChatTemplateOptions): string {
    if (this.chatTemplate === null) {
      throw new TokenizerError(
        'has no chat_template (tokenizer_config.json); pass chatTemplate in the tokenizer spec',
        this.files.tokenizerJson
      );
    }
    return renderChatTemplate(this.chatTemplate, messages, options, this.specialsText);
  }
}
