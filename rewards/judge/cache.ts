/**
 * Judge response cache keyed by a content hash of everything that determines the reply (model, messages, sampling
 * parameters). GRPO samples G answers per prompt and a retried `score` activity re-scores the same batch, so identical
 * requests are common; a cached reply costs no HTTP call and no money. In memory always; with `dir`, also appended to
 * `<dir>/judge-cache.jsonl` and reloaded on start so a restarted worker keeps it.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Canonical JSON: object keys sorted, so the key does not depend on property insertion order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** sha256 hex of the canonical JSON of the request (model + messages + params). */
export function cacheKey(request: unknown): string {
  return createHash('sha256').update(canonical(request)).digest('hex');
}

export const CACHE_FILE = 'judge-cache.jsonl';

export class JudgeCache {
  readonly #memory = new Map<string, string>();
  readonly #file: string | null;
  #loaded: Promise<void> | null = null;
  /** Lines of the JSONL file that could not be read (a torn last line after a crash); skipped, not fatal. */
  corruptLines = 0;
  /** Why the JSONL file could not be read, if it could not (the cache then starts empty). */
  loadError: string | null = null;

  /** `dir`: directory for the JSONL file (created if missing); omit for memory only. */
  constructor(dir?: string) {
    this.#file = dir ? path.join(dir, CACHE_FILE) : null;
  }

  get size(): number {
    return this.#memory.size;
  }

  async #load(): Promise<void> {
    if (!this.#file) return;
    let text = '';
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (err) {
      // Unreadable (permissions, a directory in the way): start empty rather than fail every judgement.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.loadError = (err as Error).message;
      return;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const row = JSON.parse(line) as { key?: unknown; content?: unknown };
        if (typeof row.key === 'string' && typeof row.content === 'string') this.#memory.set(row.key, row.content);
        else this.corruptLines++;
      } catch {
        this.corruptLines++;
      }
    }
  }

  #ready(): Promise<void> {
    this.#loaded ??= this.#load();
    return this.#loaded;
  }

  async get(key: string): Promise<string | undefined> {
    await this.#ready();
    return this.#memory.get(key);
  }

  async set(key: string, content: string): Promise<void> {
    await this.#ready();
    if (this.#memory.get(key) === content) return;
    this.#memory.set(key, content);
    if (!this.#file) return;
    await mkdir(path.dirname(this.#file), { recursive: true });
    // One appendFile per entry: O_APPEND keeps each line whole between concurrent writers on a local file system.
    await appendFile(this.#file, `${JSON.stringify({ key, content })}\n`, 'utf8');
  }
}
