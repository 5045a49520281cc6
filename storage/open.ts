/** Opens a blob store from its URI: `file:///abs/dir`, `file://rel/dir`, an absolute path, or `s3://bucket[/prefix]`. */
import path from 'node:path';
import { type BlobStore, BlobStoreConfigError } from './blob-store.ts';
import { FileBlobStore } from './file-store.ts';
import { S3BlobStore, type S3StoreOptions } from './s3-store.ts';

export function openBlobStore(uri: string, s3?: S3StoreOptions): BlobStore {
  if (uri.startsWith('s3://')) {
    const rest = uri.slice('s3://'.length).replace(/\/+$/, '');
    const [bucket, ...prefix] = rest.split('/');
    if (!bucket || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
      throw new BlobStoreConfigError(
        `invalid S3 bucket in '${uri}': bucket names are 3–63 lowercase letters, digits, '.' or '-'`
      );
    }
    return new S3BlobStore(bucket, prefix.join('/'), s3);
  }
  if (uri.startsWith('file://')) {
    // `file://data/x` (no third slash) is a path relative to the working directory, as the config allows.
    const p = uri.slice('file://'.length);
    if (p === '')
      throw new BlobStoreConfigError(`'${uri}' names no folder: use file:///abs/dir or file://relative/dir`);
    return new FileBlobStore(path.resolve(p));
  }
  if (path.isAbsolute(uri)) return new FileBlobStore(uri);
  throw new BlobStoreConfigError(`unsupported storage URI '${uri}': use file:///abs/dir or s3://bucket/prefix`);
}
