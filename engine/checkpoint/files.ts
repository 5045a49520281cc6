/**
 * Where a checkpoint's files are read from when it is loaded: a local directory, or bytes already in memory (a
 * snapshot downloaded and verified without touching the disk, training/policy-store.ts). The loader asks only for
 * what it needs: whether a file is there, a JSON file's text, a safetensors file, the saved tokenizer.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadTokenizerFromDir, TOKENIZER_SPEC_FILE, tokenizerFromSpecText } from '../tokenizer/load.ts';
import type { ProjectTokenizer } from '../tokenizer/types.ts';
import { ModelCheckpointError } from './errors.ts';
import {
  openSafetensors,
  readSafetensorsHeader,
  type SafetensorsHeader,
  type SafetensorsReader,
  safetensorsBytesReader,
} from './safetensors.ts';

/** A Hugging Face tokenizer's own file, which a checkpoint may carry beside its spec. */
const HF_TOKENIZER_FILE = 'tokenizer.json';

export interface CheckpointFiles {
  /** The directory, or the URI the bytes came from: what error messages name. */
  readonly where: string;
  has(name: string): boolean;
  /** A file's text; `null` when the file is absent. */
  readText(name: string): Promise<string | null>;
  safetensorsHeader(name: string): Promise<SafetensorsHeader>;
  openSafetensors(name: string): Promise<SafetensorsReader>;
  /** The tokenizer saved with the checkpoint, or null when it has none. */
  tokenizer(): Promise<ProjectTokenizer | null>;
}

export function directoryFiles(dir: string): CheckpointFiles {
  const at = (name: string) => path.join(dir, name);
  return {
    where: dir,
    has: (name) => existsSync(at(name)),
    readText: (name) => readFile(at(name), 'utf8').catch(() => null),
    safetensorsHeader: (name) => readSafetensorsHeader(at(name)),
    openSafetensors: (name) => openSafetensors(at(name)),
    async tokenizer() {
      if (!existsSync(at(TOKENIZER_SPEC_FILE)) && !existsSync(at(HF_TOKENIZER_FILE))) return null;
      return loadTokenizerFromDir(dir);
    },
  };
}

/**
 * Files held in memory by name. Safetensors tensors read from them are views of these bytes (no copy), so the bytes
 * must stay unchanged while a load runs. A Hugging Face tokenizer reads (and a later save copies) its files from
 * disk, so a checkpoint carrying one is loaded from a directory instead: this refuses it.
 */
export function memoryFiles(where: string, files: ReadonlyMap<string, Uint8Array>): CheckpointFiles {
  const bytesOf = (name: string) => {
    const bytes = files.get(name);
    if (!bytes) throw new ModelCheckpointError(`has no ${name}`, where);
    return bytes;
  };
  const text = (name: string) => (files.has(name) ? Buffer.from(bytesOf(name)).toString('utf8') : null);
  return {
    where,
    has: (name) => files.has(name),
    readText: async (name) => text(name),
    safetensorsHeader: async (name) => safetensorsBytesReader(bytesOf(name), `${where}/${name}`).header,
    openSafetensors: async (name) => safetensorsBytesReader(bytesOf(name), `${where}/${name}`),
    async tokenizer() {
      if (files.has(HF_TOKENIZER_FILE))
        throw new ModelCheckpointError('carries a Hugging Face tokenizer: load it from a directory', where);
      const spec = text(TOKENIZER_SPEC_FILE);
      return spec === null ? null : tokenizerFromSpecText(spec, `${where}/${TOKENIZER_SPEC_FILE}`);
    },
  };
}

/** Whether a checkpoint with these files loads from memory: not when it carries a Hugging Face tokenizer's files. */
export function loadsFromMemory(names: Iterable<string>): boolean {
  for (const n of names) if (n === HF_TOKENIZER_FILE) return false;
  return true;
}
