/**
 * Checkpoints in a blob store. A checkpoint is a folder `<run>/checkpoints/step-00000042/` whose files are written
 * first and whose `manifest.json` (sha256 and size of every file) is written last: a checkpoint without a valid
 * manifest does not exist. Resume reads the newest checkpoint that verifies.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type CheckpointManifest,
  checkpointManifestSchema,
  type ManifestFile,
} from '../schemas/records/checkpoint-manifest.ts';
import { type BlobStore, joinKey } from './blob-store.ts';

export const MANIFEST_NAME = 'manifest.json';
export type { CheckpointManifest, ManifestFile };

/** What a manifest records besides its files: whose checkpoint it is, and small metrics for keep-best. */
export interface CheckpointHeader {
  experiment: string;
  run: string;
  stage: string;
  configHash: string;
  metrics?: Record<string, number>;
  /** The plan in force (see the manifest schema). */
  plan?: PlanInForce;
}

/** What a checkpoint records of the plan in force when it was written (an `adjust` may have changed it). */
export interface PlanInForce {
  stageIndex: number;
  stageStartStep: number;
  stageEndStep: number;
  learningRate: number;
}

export type CheckpointFile = { path: string; localPath: string } | { path: string; data: Uint8Array | string };

export class CheckpointError extends Error {
  constructor(
    message: string,
    readonly prefix: string
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export function checkpointPrefix(runPrefix: string, step: number): string {
  return joinKey(runPrefix, 'checkpoints', `step-${String(step).padStart(8, '0')}`);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(lanes);
  return out;
}

export async function writeCheckpoint(
  store: BlobStore,
  runPrefix: string,
  step: number,
  files: CheckpointFile[],
  header: CheckpointHeader
): Promise<{ prefix: string; manifest: CheckpointManifest }> {
  const prefix = checkpointPrefix(runPrefix, step);
  if (files.some((f) => f.path === MANIFEST_NAME)) throw new CheckpointError(`'${MANIFEST_NAME}' is reserved`, prefix);
  const written = await mapLimit(files, 4, async (f) => {
    const key = joinKey(prefix, f.path);
    const r = 'localPath' in f ? await store.putFile(key, f.localPath) : await store.put(key, f.data);
    return { path: f.path, bytes: r.bytes, sha256: r.sha256 };
  });
  const manifest: CheckpointManifest = checkpointManifestSchema.parse({
    version: 1,
    experiment: header.experiment,
    run: header.run,
    step,
    stage: header.stage,
    configHash: header.configHash,
    createdAt: new Date().toISOString(),
    files: written.sort((a, b) => a.path.localeCompare(b.path)),
    ...(header.metrics ? { metrics: header.metrics } : {}),
    ...(header.plan ?? {}),
  });
  const sealed = { ...manifest, manifestSha256: sha256Text(manifestText(manifest)) };
  await store.put(joinKey(prefix, MANIFEST_NAME), manifestText(sealed));
  return { prefix, manifest: sealed };
}

/** A manifest's text exactly as written: the bytes its own sha256 is taken over. */
const manifestText = (m: object): string => JSON.stringify(m, null, 2);
const sha256Text = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Whether a sealed manifest's text is the one written: its digest matches its body and the text is byte for byte
 * what writeCheckpoint makes of its content (so a change that leaves the content as it was, in spacing or a number's
 * spelling, is caught too).
 */
function sealIntact(raw: Record<string, unknown>, text: string): boolean {
  const { manifestSha256, ...body } = raw;
  return manifestText(raw) === text && sha256Text(manifestText(body)) === manifestSha256;
}

export function parseManifest(text: string, prefix: string): CheckpointManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CheckpointError(`manifest at ${prefix} is not valid JSON`, prefix);
  }
  const parsed = checkpointManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(manifest)'}: ${i.message}`).join('; ');
    throw new CheckpointError(`manifest at ${prefix} is malformed: ${why}`, prefix);
  }
  if (parsed.data.manifestSha256 !== undefined && !sealIntact(raw as Record<string, unknown>, text))
    throw new CheckpointError(`manifest at ${prefix} is damaged: its text does not match its own sha256`, prefix);
  return parsed.data;
}

export async function readManifest(store: BlobStore, prefix: string): Promise<CheckpointManifest | null> {
  if (!(await store.head(joinKey(prefix, MANIFEST_NAME)))) return null;
  const text = Buffer.from(await store.get(joinKey(prefix, MANIFEST_NAME))).toString('utf8');
  return parseManifest(text, prefix);
}

export interface VerifyResult {
  ok: boolean;
  problems: string[];
  manifest: CheckpointManifest | null;
}

/**
 * Checks a checkpoint against its manifest: every file present with its size, and with `deep` also its sha256
 * (downloads the content). Never throws for a broken checkpoint: it reports.
 */
export async function verifyCheckpoint(
  store: BlobStore,
  prefix: string,
  opts: { deep?: boolean } = {}
): Promise<VerifyResult> {
  let manifest: CheckpointManifest | null;
  try {
    manifest = await readManifest(store, prefix);
  } catch (err) {
    return { ok: false, problems: [(err as Error).message], manifest: null };
  }
  if (!manifest) return { ok: false, problems: [`no ${MANIFEST_NAME} at ${store.uriOf(prefix)}`], manifest: null };
  const problems: string[] = [];
  await mapLimit(manifest.files, 4, async (f) => {
    const key = joinKey(prefix, f.path);
    const info = await store.head(key);
    if (!info) return void problems.push(`${f.path}: missing`);
    if (info.bytes !== f.bytes) return void problems.push(`${f.path}: ${info.bytes} bytes, manifest says ${f.bytes}`);
    if (opts.deep) {
      const sha = createHash('sha256')
        .update(await store.get(key))
        .digest('hex');
      if (sha !== f.sha256) problems.push(`${f.path}: sha256 ${sha.slice(0, 12)}… differs from the manifest's`);
    }
  });
  return { ok: problems.length === 0, problems: problems.sort(), manifest };
}

export interface CheckpointEntry {
  step: number;
  prefix: string;
  hasManifest: boolean;
}

export async function listCheckpoints(store: BlobStore, runPrefix: string): Promise<CheckpointEntry[]> {
  const base = joinKey(runPrefix, 'checkpoints');
  const byStep = new Map<number, CheckpointEntry>();
  for (const { key } of await store.list(`${base}/`)) {
    const m = key.slice(base.length + 1).match(/^step-(\d{8})\/(.+)$/);
    if (!m) continue;
    const step = Number(m[1]);
    const e = byStep.get(step) ?? { step, prefix: checkpointPrefix(runPrefix, step), hasManifest: false };
    if (m[2] === MANIFEST_NAME) e.hasManifest = true;
    byStep.set(step, e);
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/** The newest checkpoint that verifies (sizes; sha256 too with `deep`), or null. Broken ones are skipped. */
export async function newestValidCheckpoint(
  store: BlobStore,
  runPrefix: string,
  opts: { deep?: boolean } = {}
): Promise<{ step: number; prefix: string; manifest: CheckpointManifest } | null> {
  const entries = (await listCheckpoints(store, runPrefix)).filter((e) => e.hasManifest).reverse();
  for (const e of entries) {
    const v = await verifyCheckpoint(store, e.prefix, opts);
    if (v.ok && v.manifest) return { step: e.step, prefix: e.prefix, manifest: v.manifest };
  }
  return null;
}

/**
 * Downloads a checkpoint into a local folder, checking each file's sha256 as it arrives; a mismatch deletes the
 * folder and throws, so a corrupt checkpoint is never loaded.
 */
export async function downloadCheckpoint(
  store: BlobStore,
  prefix: string,
  localDir: string,
  /** Which of the manifest's files to fetch (default all); the others are left out and the manifest still returned. */
  wanted: (file: ManifestFile) => boolean = () => true
): Promise<CheckpointManifest> {
  const manifest = await readManifest(store, prefix);
  if (!manifest) throw new CheckpointError(`no checkpoint at ${store.uriOf(prefix)} (no ${MANIFEST_NAME})`, prefix);
  await mkdir(localDir, { recursive: true });
  // Every started download settles before the folder is removed: removing it under a file still being written fails
  // (ENOTEMPTY) and would hide the real error. After a failure no new file is started.
  let failure: unknown;
  await mapLimit(manifest.files.filter(wanted), 4, async (f) => {
    if (failure !== undefined) return;
    try {
      const dest = path.join(localDir, f.path);
      await store.getToFile(joinKey(prefix, f.path), dest);
      const sha = await sha256File(dest);
      if (sha !== f.sha256)
        throw new CheckpointError(`${f.path} in ${store.uriOf(prefix)} fails its sha256 check`, prefix);
    } catch (err) {
      failure ??= err;
    }
  });
  if (failure !== undefined) {
    await rm(localDir, { recursive: true, force: true });
    throw failure;
  }
  return manifest;
}

/**
 * A checkpoint's files read into memory, each checked against the manifest's size and sha256 before any is
 * returned: no local copy to write, read back and delete. A file that differs throws a {@link CheckpointError}
 * (after every started read has settled) and nothing read is kept. Each file is one `get`, so a store that waits out
 * outages (activities/blob-retry.ts) retries a read cut off mid-body as a whole.
 */
export async function readCheckpoint(
  store: BlobStore,
  prefix: string,
  /** Which of the manifest's files to read (default all); the manifest is returned whole. */
  wanted: (file: ManifestFile) => boolean = () => true
): Promise<{ manifest: CheckpointManifest; files: Map<string, Uint8Array> }> {
  const manifest = await readManifest(store, prefix);
  if (!manifest) throw new CheckpointError(`no checkpoint at ${store.uriOf(prefix)} (no ${MANIFEST_NAME})`, prefix);
  let failure: unknown;
  const files = new Map<string, Uint8Array>();
  await mapLimit(manifest.files.filter(wanted), 4, async (f) => {
    if (failure !== undefined) return;
    try {
      files.set(f.path, await readVerified(store, prefix, f));
    } catch (err) {
      failure ??= err;
    }
  });
  if (failure !== undefined) throw failure;
  return { manifest, files };
}

/** One file's bytes, refused when their size or sha256 differs from the manifest's. */
async function readVerified(store: BlobStore, prefix: string, f: ManifestFile): Promise<Uint8Array> {
  const bytes = await store.get(joinKey(prefix, f.path));
  const wrong = (what: string) => new CheckpointError(`${f.path} in ${store.uriOf(prefix)} ${what}`, prefix);
  if (bytes.byteLength !== f.bytes) throw wrong(`has ${bytes.byteLength} bytes, not the manifest's ${f.bytes}`);
  if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) throw wrong('fails its sha256 check');
  return bytes;
}

export async function sha256File(p: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(p)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface RetentionPolicy {
  /** Keep the newest N valid checkpoints. */
  keepLast: number;
  /** Also keep the best one by this manifest metric. */
  best?: { metric: string; mode: 'max' | 'min' };
}

/** The checkpoint with the best value of a manifest metric (the earliest of equals), or null when none records it. */
async function bestByMetric(
  store: BlobStore,
  complete: readonly CheckpointEntry[],
  best: NonNullable<RetentionPolicy['best']>
): Promise<{ step: number; prefix: string; value: number } | null> {
  let found: { step: number; prefix: string; value: number } | null = null;
  for (const e of complete) {
    const value = (await readManifest(store, e.prefix).catch(() => null))?.metrics?.[best.metric];
    if (typeof value !== 'number') continue;
    const better = found === null || (best.mode === 'max' ? value > found.value : value < found.value);
    if (better) found = { step: e.step, prefix: e.prefix, value };
  }
  return found;
}

/**
 * The checkpoint a run is represented by (a merge's source): the best by `best`'s metric, the one retention keeps
 * outside the rotation, else the newest valid one; null when the run has no valid checkpoint. `value` is the metric's.
 */
export async function bestCheckpoint(
  store: BlobStore,
  runPrefix: string,
  best?: RetentionPolicy['best']
): Promise<{ step: number; prefix: string; value: number | null } | null> {
  if (best) {
    const complete = (await listCheckpoints(store, runPrefix)).filter((e) => e.hasManifest);
    const found = await bestByMetric(store, complete, best);
    if (found && (await verifyCheckpoint(store, found.prefix)).ok) return found;
  }
  const newest = await newestValidCheckpoint(store, runPrefix);
  return newest ? { step: newest.step, prefix: newest.prefix, value: null } : null;
}

/**
 * Deletes checkpoints outside the policy: all but the newest `keepLast` with manifests and the best by a metric, and
 * manifest-less leftovers older than the newest valid one (an interrupted write). Returns the steps deleted.
 */
export async function applyRetention(store: BlobStore, runPrefix: string, policy: RetentionPolicy): Promise<number[]> {
  if (!Number.isInteger(policy.keepLast) || policy.keepLast < 1)
    throw new Error('retention keepLast must be an integer ≥ 1');
  const entries = await listCheckpoints(store, runPrefix);
  const complete = entries.filter((e) => e.hasManifest);
  const keep = new Set(complete.slice(-policy.keepLast).map((e) => e.step));
  if (policy.best) {
    const best = await bestByMetric(store, complete, policy.best);
    if (best) keep.add(best.step);
  }
  const newestComplete = complete.at(-1)?.step ?? -1;
  const doomed = entries.filter((e) => !keep.has(e.step) && (e.hasManifest || e.step < newestComplete));
  for (const e of doomed) {
    const keys = (await store.list(`${e.prefix}/`)).map((b) => b.key);
    // Manifest first: a half-deleted checkpoint must read as absent, never as valid-but-broken.
    const manifestKey = joinKey(e.prefix, MANIFEST_NAME);
    if (keys.includes(manifestKey)) await store.delete([manifestKey]);
    await store.delete(keys.filter((k) => k !== manifestKey));
  }
  return doomed.map((e) => e.step);
}
