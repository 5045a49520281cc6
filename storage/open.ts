/** Opens a blob store from its URI: `file:///abs/dir`, a plain absolute path, or `s3://bucket[/prefix]`. */
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
    const p = uri.slice('file://'.length);
    if (!path.isAbsolute(p))
      throw new BlobStoreConfigError(`'${uri}' must be absolute: file:///abs/dir (three slashes)`);
    return new FileBlobStore(p);
  }
  if (path.isAbsolute(uri)) return new FileBlobStore(uri);
  throw new BlobStoreConfigError(`unsupported storage URI '${uri}': use file:///abs/dir or s3://bucket/prefix`);
}
