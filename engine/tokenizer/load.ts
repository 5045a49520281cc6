/**
 * Building a tokenizer from its spec, and keeping it beside a checkpoint: `tokenizer.omni.json` holds the spec, and a
 * Hugging Face tokenizer's own files are copied next to it so the checkpoint directory is self-contained (and loads
 * in `transformers` as a normal model directory).
 */

import { existsSync, readFileSync } from 'node:fs';
import { copyFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ByteTokenizer } from './byte.ts';
import { TokenizerError } from './errors.ts';
import { HfTokenizer } from './hf.ts';
import type { ProjectTokenizer, TokenizerSpec } from './types.ts';

export const TOKENIZER_SPEC_FILE = 'tokenizer.omni.json';

function checkSpec(spec: unknown): TokenizerSpec {
  let s = spec as Partial<TokenizerSpec> | null;
  if ((s?.type as string) === 'huggingface') s = { ...s, type: 'hf' } as Partial<TokenizerSpec>;
  if (s?.chatTemplateFile !== undefined && typeof s.chatTemplateFile !== 'string') {
    throw new TokenizerError(
      `tokenizer spec: chatTemplateFile must be a path, got ${JSON.stringify(s.chatTemplateFile)}`
    );
  }
  if (s?.type === 'byte') {
    if (s.tagTokens !== undefined && !(Array.isArray(s.tagTokens) && s.tagTokens.every((t) => typeof t === 'string'))) {
      throw new TokenizerError(
        `tokenizer spec: tagTokens must be a list of strings, got ${JSON.stringify(s.tagTokens)}`
      );
    }
    return s as TokenizerSpec;
  }
  if (s?.type === 'hf') {
    if (typeof s.path !== 'string' || s.path === '') {
      throw new TokenizerError(`tokenizer spec: type 'hf' needs 'path' (a tokenizer.json or its directory)`);
    }
    return s as TokenizerSpec;
  }
  throw new TokenizerError(
    `tokenizer spec: 'type' must be 'byte' or 'hf' ('huggingface'), got ${JSON.stringify(s?.type)} (e.g. { "type": "byte", "tagTokens": ["<think>", "</think>"] })`
  );
}

function readTemplate(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new TokenizerError(
      `cannot read the chat template file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      file
    );
  }
}

/**
 * The tokenizer a spec describes. A `chatTemplateFile` is read here, and the tokenizer's own spec carries the
 * template text, so a checkpoint that saves it does not depend on the file.
 */
export function loadTokenizer(spec: TokenizerSpec): ProjectTokenizer {
  const { chatTemplateFile, ...s } = checkSpec(spec);
  const chatTemplate = s.chatTemplate ?? (chatTemplateFile === undefined ? undefined : readTemplate(chatTemplateFile));
  if (s.type === 'byte') return new ByteTokenizer({ tagTokens: s.tagTokens, chatTemplate });
  const { path: p, type: _type, chatTemplate: _t, ...options } = s;
  return new HfTokenizer(p, { ...options, ...(chatTemplate !== undefined && { chatTemplate }) });
}

async function writeAtomic(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/**
 * Writes the tokenizer into `dir`: its spec, and for a Hugging Face tokenizer copies of tokenizer.json and
 * tokenizer_config.json (the spec then points at `dir` itself). Returns the file names written.
 */
export async function saveTokenizer(tokenizer: ProjectTokenizer, dir: string): Promise<string[]> {
  const written: string[] = [];
  let spec = tokenizer.spec;
  const place = async (source: string | undefined, name: string) => {
    const dest = path.join(dir, name);
    if (source === undefined) {
      // A file left by an earlier save into this directory would be read back as this tokenizer's.
      await rm(dest, { force: true });
      return;
    }
    // Saving into the directory the tokenizer came from: the file is already there (a copy onto itself truncates).
    if (path.resolve(source) !== path.resolve(dest)) {
      const tmp = `${dest}.tmp-${process.pid}`;
      await copyFile(source, tmp);
      await rename(tmp, dest);
    }
    written.push(name);
  };
  if (tokenizer instanceof HfTokenizer) {
    await place(tokenizer.files.tokenizerJson, 'tokenizer.json');
    await place(tokenizer.files.tokenizerConfig, 'tokenizer_config.json');
    await place(tokenizer.files.chatTemplate, 'chat_template.jinja');
    spec = { ...spec, path: '.' } as TokenizerSpec;
  } else {
    await place(undefined, 'tokenizer.json');
    await place(undefined, 'tokenizer_config.json');
    await place(undefined, 'chat_template.jinja');
  }
  await writeAtomic(path.join(dir, TOKENIZER_SPEC_FILE), `${JSON.stringify(spec, null, 2)}\n`);
  written.push(TOKENIZER_SPEC_FILE);
  return written;
}

/**
 * The tokenizer kept in a checkpoint directory: from tokenizer.omni.json (relative `path`s resolve against `dir`),
 * else the directory's own tokenizer.json as a plain Hugging Face model directory has it.
 */
export async function loadTokenizerFromDir(dir: string): Promise<ProjectTokenizer> {
  const specFile = path.join(dir, TOKENIZER_SPEC_FILE);
  if (existsSync(specFile)) return tokenizerFromSpecText(await readFile(specFile, 'utf8'), specFile, dir);
  if (existsSync(path.join(dir, 'tokenizer.json'))) return new HfTokenizer(dir);
  throw new TokenizerError(`has neither ${TOKENIZER_SPEC_FILE} nor tokenizer.json: no tokenizer to load`, dir);
}

/**
 * The tokenizer a saved spec (the text of `file`) describes; a Hugging Face spec's relative `path` resolves against
 * `dir`, the folder the spec was saved in (none for a spec held in memory: then only an absolute path loads).
 */
export function tokenizerFromSpecText(text: string, file: string, dir?: string): ProjectTokenizer {
  let spec: TokenizerSpec;
  try {
    spec = checkSpec(JSON.parse(text));
  } catch (e) {
    if (e instanceof TokenizerError) throw new TokenizerError(e.message, file);
    throw new TokenizerError(`is not valid JSON (${(e as Error).message})`, file);
  }
  if (spec.type === 'hf' && !path.isAbsolute(spec.path)) {
    if (dir === undefined) throw new TokenizerError(`names the relative path '${spec.path}' but has no folder`, file);
    spec = { ...spec, path: path.resolve(dir, spec.path) };
  }
  return loadTokenizer(spec);
}
