/**
 * One interface for where big things live (datasets, rollouts, weights, optimiser state, metrics): a local directory
 * (`file:///abs/dir`) or an S3 bucket prefix (`s3://bucket/prefix`, any S3-compatible endpoint). Keys are relative to
 * the store's base, with `/` separators.
 */
import type { Readable } from 'node:stream';

export interface BlobInfo {
  key: string;
  bytes: number;
}

export interface PutResult extends BlobInfo {
  /** Hex sha256 of the content as written. */
  sha256: string;
}

export interface BlobStore {
  /** The base URI this store was opened with, normalised (no trailing slash). */
  readonly uri: string;
  /** Full URI of a key, for logs and for pointing other processes at it. */
  uriOf(key: string): string;
  put(key: string, body: Uint8Array | string): Promise<PutResult>;
  /** Streams a local file up (multipart on S3 for large files). */
  putFile(key: string, localPath: string): Promise<PutResult>;
  get(key: string): Promise<Uint8Array>;
  getStream(key: string): Promise<Readable>;
  /** Downloads to a local path (created with its parent folders), atomically via a temp file + rename. */
  getToFile(key: string, localPath: string): Promise<void>;
  /** null when the key does not exist. */
  head(key: string): Promise<BlobInfo | null>;
  /** Every key under a prefix (recursive), sorted. */
  list(prefix: string): Promise<BlobInfo[]>;
  delete(keys: string[]): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly uri: string) {
    super(`no object at ${uri}`);
    this.name = 'BlobNotFoundError';
  }
}

export class BlobStoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobStoreConfigError';
  }
}

/** Rejects keys that could escape the base (`..`, absolute paths) — keys come from configs and run ids. */
export function checkKey(key: string): string {
  if (key === '' || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.')) {
    throw new BlobStoreConfigError(`invalid blob key '${key}': use a relative path without '.' or '..' segments`);
  }
  return key;
}

export function joinKey(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .join('/');
}
