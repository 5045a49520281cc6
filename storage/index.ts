export {
  type BlobInfo,
  BlobNotFoundError,
  type BlobStore,
  BlobStoreConfigError,
  joinKey,
  type PutResult,
} from './blob-store.ts';
export {
  applyRetention,
  type CheckpointManifest,
  checkpointPrefix,
  downloadCheckpoint,
  listCheckpoints,
  newestValidCheckpoint,
  readManifest,
  verifyCheckpoint,
  writeCheckpoint,
} from './checkpoints.ts';
export { FileBlobStore } from './file-store.ts';
export { openBlobStore } from './open.ts';
export { S3BlobStore, s3ClientConfig } from './s3-store.ts';
