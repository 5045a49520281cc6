/** `file:///abs/dir` blob store: plain files; writes go to a temp file then rename, so readers never see half a file. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type BlobInfo, BlobNotFoundError, type BlobStore, checkKey, type PutResult } from './blob-store.ts';

export class FileBlobStore implements BlobStore {
  readonly uri: string;

  constructor(readonly root: string) {
    this.uri = `file://${root.replace(/\/+$/, '')}`;
  }

  uriOf(key: string): string {
    return `${this.uri}/${checkKey(key)}`;
  }

  private pathOf(key: string): string {
    return path.join(this.root, checkKey(key));
  }

  private async atomicWrite(key: string, write: (tmp: string) => Promise<void>): Promise<string> {
    const dest = this.pathOf(key);
    await mkdir(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await write(tmp);
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return dest;
  }

  async put(key: string, body: Uint8Array | string): Promise<PutResult> {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    await this.atomicWrite(key, (tmp) => writeFile(tmp, data));
    return { key, bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
  }

  async putFile(key: string, localPath: string): Promise<PutResult> {
    const hash = createHash('sha256');
    let bytes = 0;
    await this.atomicWrite(key, async (tmp) => {
      const src = createReadStream(localPath);
      src.on('data', (chunk) => {
        hash.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      });
      await pipeline(src, createWriteStream(tmp));
    });
    return { key, bytes, sha256: hash.digest('hex') };
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(this.uriOf(key));
      throw err;
    }
  }

  async getStream(key: string): Promise<Readable> {
    if (!(await this.head(key))) throw new BlobNotFoundError(this.uriOf(key));
    return createReadStream(this.pathOf(key));
  }

  async getToFile(key: string, localPath: string): Promise<void> {
    const src = await this.getStream(key);
    await mkdir(path.dirname(localPath), { recursive: true });
    const tmp = `${localPath}.tmp-${randomBytes(6).toString('hex')}`;
    await pipeline(src, createWriteStream(tmp));
    await rename(tmp, localPath);
  }

  async head(key: string): Promise<BlobInfo | null> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { key, bytes: s.size } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const e of entries) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile() && !/\.tmp-[0-9a-f]{12}$/.test(e.name)) {
          const key = path.relative(this.root, p).split(path.sep).join('/');
          if (!key.startsWith(prefix)) continue;
          // A file deleted between the listing and its stat (retention, a concurrent writer's cleanup) is not listed.
          const size = await stat(p).then(
            (st) => st.size,
            (err: NodeJS.ErrnoException) => {
              if (err.code === 'ENOENT') return null;
              throw err;
            }
          );
          if (size !== null) out.push({ key, bytes: size });
        }
      }
    };
    // Walk from the deepest directory the prefix names, then filter by the full prefix.
    const dirPart = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await walk(dirPart ? this.pathOf(dirPart) : this.root);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.map((k) => rm(this.pathOf(k), { force: true })));
  }
}
