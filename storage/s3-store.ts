/**
 * `s3://bucket/prefix` blob store on any S3-compatible server. Endpoint and addressing come from the environment
 * (never from experiment configs, so secrets and hosts stay out of workflow histories):
 *   OMNI_ZERO_S3_ENDPOINT (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) — e.g. http://127.0.0.1:9000 for a local server;
 *   OMNI_ZERO_S3_PATH_STYLE=1|0 — path-style addressing; default on when an endpoint is set (what MinIO expects);
 *   AWS_REGION (default us-east-1); credentials through the AWS SDK's default chain (AWS_ACCESS_KEY_ID, profiles…).
 * Transient failures are retried by the SDK (standard mode, OMNI_ZERO_S3_MAX_ATTEMPTS, default 8 attempts).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  type BlobInfo,
  BlobNotFoundError,
  type BlobStore,
  BlobStoreConfigError,
  checkKey,
  joinKey,
  type PutResult,
} from './blob-store.ts';

export interface S3StoreOptions {
  /** Overrides the environment's endpoint. */
  endpoint?: string;
  forcePathStyle?: boolean;
  region?: string;
  maxAttempts?: number;
  /** Multipart part size in bytes for putFile. Default 8 MiB (S3's minimum is 5 MiB). */
  partSize?: number;
}

export function s3ClientConfig(opts: S3StoreOptions = {}): S3ClientConfig {
  const env = process.env;
  const endpoint = opts.endpoint ?? env.OMNI_ZERO_S3_ENDPOINT ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const pathStyleEnv = env.OMNI_ZERO_S3_PATH_STYLE;
  return {
    region: opts.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: opts.forcePathStyle ?? (pathStyleEnv !== undefined ? pathStyleEnv === '1' : Boolean(endpoint)),
    maxAttempts: opts.maxAttempts ?? Number(env.OMNI_ZERO_S3_MAX_ATTEMPTS ?? 8),
    retryMode: 'standard',
  };
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/**
 * A bucket that does not exist is a configuration error, not an outage: retrying cannot create it, so it is raised
 * as BlobStoreConfigError (never retried) naming the bucket and what to do.
 */
function configErrorIfNoBucket(err: unknown, bucket: string): unknown {
  if ((err as { name?: string })?.name !== 'NoSuchBucket') return err;
  return new BlobStoreConfigError(
    `S3 bucket '${bucket}' does not exist: create it (the demo creates omni-zero-demo on its local S3 server) or point checkpoint.storage at an existing bucket`
  );
}

export class S3BlobStore implements BlobStore {
  readonly uri: string;
  readonly client: S3Client;
  private readonly partSize: number;

  constructor(
    readonly bucket: string,
    readonly prefix: string,
    opts: S3StoreOptions = {}
  ) {
    this.uri = `s3://${bucket}${prefix ? `/${prefix}` : ''}`;
    this.client = new S3Client(s3ClientConfig(opts));
    this.partSize = opts.partSize ?? 8 * 2 ** 20;
  }

  uriOf(key: string): string {
    return `${this.uri}/${checkKey(key)}`;
  }

  private keyOf(key: string): string {
    return joinKey(this.prefix, checkKey(key));
  }

  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
  }

  async put(key: string, body: Uint8Array | string): Promise<PutResult> {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    await this.client
      .send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key), Body: data }))
      .catch((err) => {
        throw configErrorIfNoBucket(err, this.bucket);
      });
    return { key, bytes: data.byteLength, sha256: createHash('sha256').update(data).digest('hex') };
  }

  async putFile(key: string, localPath: string): Promise<PutResult> {
    const hash = createHash('sha256');
    let bytes = 0;
    const src = createReadStream(localPath);
    src.on('data', (chunk) => {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.keyOf(key), Body: src },
      partSize: this.partSize,
      queueSize: 4,
      leavePartsOnError: false,
    });
    await upload.done().catch((err) => {
      throw configErrorIfNoBucket(err, this.bucket);
    });
    return { key, bytes, sha256: hash.digest('hex') };
  }

  private async getObject(key: string, extra: Partial<GetObjectCommandInput> = {}): Promise<GetObjectCommandOutput> {
    try {
      return await this.client.send(new GetObjectCommand({ ...extra, Bucket: this.bucket, Key: this.keyOf(key) }));
    } catch (err) {
      if ((err as { name?: string })?.name === 'NoSuchBucket') throw configErrorIfNoBucket(err, this.bucket);
      if (isNotFound(err)) throw new BlobNotFoundError(this.uriOf(key));
      throw err;
    }
  }

  async get(key: string): Promise<Uint8Array> {
    const res = await this.getObject(key);
    return res.Body!.transformToByteArray();
  }

  async getStream(key: string): Promise<Readable> {
    const res = await this.getObject(key);
    return res.Body as Readable;
  }

  /**
   * Downloads into `<localPath>.part-<pid>` and renames it when complete. A download cut off mid-body keeps the bytes it
   * received: the next call (the activities' outage retry) asks only for the rest with a ranged GET pinned to the
   * object's ETag, so a large checkpoint cut at 90 % costs 10 % to finish; if the object changed meanwhile (412) or
   * the part is unusable (416), it starts over.
   */
  async getToFile(key: string, localPath: string): Promise<void> {
    await mkdir(path.dirname(localPath), { recursive: true });
    // Per process: two workers sharing a cache folder never append to each other's part.
    const part = `${localPath}.part-${process.pid}`;
    const etagFile = `${part}.etag`;
    const have = await stat(part).then(
      (s) => s.size,
      () => 0
    );
    const etag = have > 0 ? await readFile(etagFile, 'utf8').catch(() => '') : '';
    let res: GetObjectCommandOutput;
    let append = false;
    try {
      res = await this.getObject(key, etag ? { Range: `bytes=${have}-`, IfMatch: etag } : {});
      append = etag !== '';
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (!etag || (status !== 412 && status !== 416)) throw err;
      res = await this.getObject(key);
    }
    if (res.ETag) await writeFile(etagFile, res.ETag);
    else await rm(etagFile, { force: true });
    await pipeline(res.Body as Readable, createWriteStream(part, { flags: append ? 'a' : 'w' }));
    await rename(part, localPath);
    await rm(etagFile, { force: true });
  }

  async head(key: string): Promise<BlobInfo | null> {
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.keyOf(key) }));
      return { key, bytes: res.ContentLength ?? 0 };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    const base = this.prefix ? `${this.prefix}/` : '';
    let token: string | undefined;
    do {
      const res = await this.client
        .send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base + prefix, ContinuationToken: token }))
        .catch((err) => {
          throw configErrorIfNoBucket(err, this.bucket);
        });
      for (const o of res.Contents ?? []) out.push({ key: o.Key!.slice(base.length), bytes: o.Size ?? 0 });
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000);
      await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((k) => ({ Key: this.keyOf(k) })), Quiet: true },
        })
      );
    }
  }
}
