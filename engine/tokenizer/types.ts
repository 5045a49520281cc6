import type { Tokenizer } from '../types.ts';

/** One chat message as chat templates expect it. */
export interface ChatMessage {
  role: string;
  content: string;
  /** Other fields a template may read (e.g. `reasoning_content`). */
  [field: string]: unknown;
}

export interface ChatTemplateOptions {
  /** Append the opening of an assistant turn so the model continues as the assistant (default true). */
  addGenerationPrompt?: boolean;
  /** Further template variables, e.g. `{ enable_thinking: false }` (Qwen3) or a `system_prompt`. */
  variables?: Record<string, unknown>;
}

/** How to build a tokenizer; saved beside checkpoints so the same one is rebuilt at load. */
export type TokenizerSpec =
  | {
      type: 'byte';
      /** Strings that get one id each (e.g. `<think>`, `</think>`, `<answer>`, `</answer>`); default none. */
      tagTokens?: string[];
      /** Jinja chat template; default none (then {@link ProjectTokenizer.applyChatTemplate} refuses). */
      chatTemplate?: string;
      /** A file holding the chat template, read when the tokenizer is built (`chatTemplate` wins if both). */
      chatTemplateFile?: string;
    }
  | {
      /** 'huggingface' (the experiment config's spelling) is accepted as the same. */
      type: 'hf';
      /** A `tokenizer.json` file, or a directory holding one (and optionally `tokenizer_config.json`). */
      path: string;
      /** Jinja chat template, replacing `chat_template` from tokenizer_config.json. */
      chatTemplate?: string;
      /** A file holding the chat template, read when the tokenizer is built (`chatTemplate` wins if both). */
      chatTemplateFile?: string;
      /** End-of-sequence token text, replacing tokenizer_config.json's `eos_token`. */
      eosToken?: string;
      /** Padding token text, replacing `pad_token` (default: the eos token when the config has none). */
      padToken?: string;
    };

/** What the project's tokenizers offer beyond the engine's {@link Tokenizer} contract. */
export interface ProjectTokenizer extends Tokenizer {
  /** How to build this tokenizer again (saved beside checkpoints). */
  readonly spec: TokenizerSpec;
  /** The chat template in force, or null. */
  readonly chatTemplate: string | null;
  /** The id of a token given by its text (special, added or tag token), or undefined. */
  tokenToId(token: string): number | undefined;
  /** Renders messages with the chat template (text, not ids: encode it to get ids). */
  applyChatTemplate(messages: ChatMessage[], options?: ChatTemplateOptions): string;
}
