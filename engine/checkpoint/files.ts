/**
 * Where a checkpoint's files are read from when it is loaded: a local directory, or bytes already in memory (a
 * snapshot downloaded and verified without touching the disk, training/policy-store.ts). The loader asks only for
 * what it needs: whether a file is there, a JSON file's text, a safetensors file, the saved tokenizer.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
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
/** What saveTokenizer writes beside a checkpoint, the spec last. */
const TOKENIZER_FILES = [HF_TOKENIZER_FILE, 'tokenizer_config.json', 'chat_template.jinja', TOKENIZER_SPEC_FILE];

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
 * disk: a checkpoint carrying one needs `tokenizerDir`, a folder holding its tokenizer files for as long as the
 * tokenizer lives ({@link keepTokenizerFiles}).
 */
export function memoryFiles(
  where: string,
  files: ReadonlyMap<string, Uint8Array>,
  tokenizerDir?: string
): CheckpointFiles {
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
      if (files.has(HF_TOKENIZER_FILE)) {
        if (tokenizerDir === undefined)
          throw new ModelCheckpointError('carries a Hugging Face tokenizer: give the folder of its files', where);
        return loadTokenizerFromDir(tokenizerDir);
      }
      const spec = text(TOKENIZER_SPEC_FILE);
      return spec === null ? null : tokenizerFromSpecText(spec, `${where}/${TOKENIZER_SPEC_FILE}`);
    },
  };
}

/** Whether a checkpoint with these files needs a folder for its tokenizer: it carries a Hugging Face tokenizer's. */
export function needsTokenizerFolder(names: Iterable<string>): boolean {
  for (const n of names) if (n === HF_TOKENIZER_FILE) return true;
  return false;
}

/**
 * The tokenizer files among a checkpoint's, in a folder under `root` named by their content: written once (the spec
 * last, so a folder with it is complete) and kept, so a tokenizer built from them, and a later save that copies them,
 * always find them. One folder per distinct tokenizer, however many checkpoints carry it.
 */
export async function keepTokenizerFiles(files: ReadonlyMap<string, Uint8Array>, root: string): Promise<string> {
  const names = TOKENIZER_FILES.filter((n) => files.has(n));
  const hash = createHash('sha256');
  for (const n of names) hash.update(`${n}\0${files.get(n)!.byteLength}\0`).update(files.get(n)!);
  const dir = path.join(root, hash.digest('hex'));
  if (existsSync(path.join(dir, TOKENIZER_SPEC_FILE))) return dir;
  await mkdir(dir, { recursive: true });
  for (const n of names) {
    const tmp = path.join(dir, `${n}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, files.get(n)!);
    await rename(tmp, path.join(dir, n));
  }
  return dir;
}
