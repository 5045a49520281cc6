/** Shared set-up for the engine's unit tests: the backend, a toy tokenizer and small model configs. */
import { initBackend } from '../../../engine/backend.ts';
import { presetConfig } from '../../../engine/model/config.ts';
import { CharTokenizer } from '../../../engine/toy/char-tokenizer.ts';
import type { ModelConfig } from '../../../engine/types.ts';

export const backend = await initBackend();

export const tokenizer = new CharTokenizer({ chars: '0123456789+=', specials: ['<answer>', '</answer>'] });

export function microConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return { ...presetConfig('micro', tokenizer.vocabSize), ...overrides };
}

export function encodePrompt(text: string): number[] {
  return [tokenizer.bosId, ...tokenizer.encode(text)];
}
