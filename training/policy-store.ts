/**
 * Policies between activities: kept in this worker's memory under the run and the policy reference, written to the
 * blob store as snapshots (weights + Adam state, manifest last) so any GPU worker can take over after a crash.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OPTIMIZER_FILE } from '../engine/checkpoint/checkpoint.ts';
import { keepTokenizerFiles, memoryFiles, needsTokenizerFolder } from '../engine/checkpoint/files.ts';
import { Policy } from '../engine/policy.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import {
  applyRetention,
  CheckpointError,
  type ManifestFile,
  readCheckpoint,
  writeCheckpoint,
} from '../storage/checkpoints.ts';
import { openBlobStore } from '../storage/open.ts';
import { runKeys } from '../storage/run-layout.ts';
import { resolveCheckpointSource } from './checkpoint-source.ts';
import { tokenizerSpecOf } from './policy-config.ts';

/** A durable policy: the snapshot written after `step` (weights + optimiser state), with a manifest. */
export interface PolicyRef {
  /** Global steps completed by this policy (0 = the base model). */
  step: number;
  /** Key of the snapshot folder under the run's base, e.g. `policy/step-00000012`. */
  key: string;
  /**
   * The snapshot manifest's own sha256 (`manifestSha256`, over every file's sha256): with the key, what a worker's
   * cached copy must match. Absent in references made before it was recorded: then key and step alone.
   */
  sha256?: string;
}

/** What the store needs of a run: its identity (base URI keys the in-memory policy), blob store and config. */
export interface PolicyRun {
  run: { experiment: string; runId: string; base: string; configHash: string };
  store: BlobStore;
  config: ExperimentConfig;
}

interface Held {
  key: string;
  /** The snapshot's manifest sha256 (its `manifestSha256`, which covers every file's sha256). */
  sha256: string | undefined;
  policy: Policy;
  /** Whether the optimizer state was loaded too; a policy held for sampling only has fresh moments. */
  trainable: boolean;
}
const held = new Map<string, Held>();

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-policy-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** How a worker got a policy: held in memory (no I/O), or downloaded (files fetched and verified) and built, ms. */
export interface PolicyFetch {
  held: boolean;
  downloadMs: number;
  buildMs: number;
}

/**
 * What the caller does with the policy. `sampling` (rollout, evaluation) needs the weights only, so a worker taking
 * over a new version downloads the snapshot without its optimizer state (two thirds of its bytes with Adam);
 * `training` needs the optimizer state too, and never gets a policy held for sampling only.
 */
export type PolicyUse = 'sampling' | 'training';

/**
 * The policy a reference names: from memory, with no I/O, when this worker holds that version (snapshot key, step and,
 * when the reference carries it, the snapshot's sha256: a snapshot rewritten under the same key, e.g. by a retried
 * update, is another policy); else downloaded and verified.
 */
export async function policyFor(ctx: PolicyRun, ref: PolicyRef, use: PolicyUse = 'training'): Promise<Policy> {
  return (await fetchPolicy(ctx, ref, use)).policy;
}

/** {@link policyFor}, saying how the policy was got and what that cost. */
export async function fetchPolicy(
  ctx: PolicyRun,
  ref: PolicyRef,
  use: PolicyUse = 'training'
): Promise<{ policy: Policy; fetch: PolicyFetch }> {
  const h = held.get(ctx.run.base);
  if (h && holds({ ...h, step: h.policy.step }, ref, use))
    return { policy: h.policy, fetch: { held: true, downloadMs: 0, buildMs: 0 } };
  const trainable = use === 'training';
  const { policy, sha256, fetch } = await downloadPolicy(ctx, ref, trainable);
  hold(ctx, { key: ref.key, sha256, policy, trainable });
  return { policy, fetch };
}

/** What a worker holds of a policy version: the snapshot, its step, sha256, and whether its optimizer state. */
export interface HeldVersion {
  key: string;
  step: number;
  sha256: string | undefined;
  trainable: boolean;
}

/**
 * Whether a held version serves `ref` for `use`: same snapshot key and step and, when the reference carries it, the
 * same sha256; for training, with its optimizer state.
 */
export function holds(h: HeldVersion, ref: PolicyRef, use: PolicyUse): boolean {
  const version = h.key === ref.key && h.step === ref.step && (ref.sha256 ?? h.sha256) === h.sha256;
  return version && (h.trainable || use === 'sampling');
}

/** Downloads of one snapshot before a verification failure is final: a torn read is worth another try. */
const DOWNLOAD_ATTEMPTS = 3;

/**
 * The snapshot's files read into memory, each checked against the manifest's size and sha256, and the manifest's
 * own sha256 against the reference's; the policy is built from those verified bytes, with no local copy. A mismatch
 * is downloaded again; still wrong after {@link DOWNLOAD_ATTEMPTS}, it fails and nothing is held, so damaged or
 * replaced weights are never used.
 */
async function downloadPolicy(
  ctx: PolicyRun,
  ref: PolicyRef,
  trainable: boolean
): Promise<{ policy: Policy; sha256: string | undefined; fetch: PolicyFetch }> {
  let failure: CheckpointError | undefined;
  const fetch: PolicyFetch = { held: false, downloadMs: 0, buildMs: 0 };
  const wanted = (f: ManifestFile) => trainable || f.path !== OPTIMIZER_FILE;
  for (let attempt = 0; attempt < DOWNLOAD_ATTEMPTS; attempt++) {
    try {
      const started = performance.now();
      const { manifest, files } = await readCheckpoint(ctx.store, ref.key, wanted);
      fetch.downloadMs += performance.now() - started;
      if (ref.sha256 !== undefined && manifest.manifestSha256 !== ref.sha256)
        throw new CheckpointError(
          `policy snapshot ${ctx.store.uriOf(ref.key)} has sha256 ${manifest.manifestSha256?.slice(0, 12)}…, ` +
            `not the ${ref.sha256.slice(0, 12)}… the step names: it was replaced after the step's reference was made`,
          ref.key
        );
      const building = performance.now();
      const policy = await buildPolicy(ctx, ref, files, trainable);
      fetch.buildMs = performance.now() - building;
      return { policy, sha256: manifest.manifestSha256, fetch };
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      failure = err;
    }
  }
  throw failure;
}

/** Where the tokenizer files of snapshots carrying a Hugging Face tokenizer are kept, one folder per tokenizer. */
const TOKENIZER_FOLDERS = path.join(os.tmpdir(), 'oz-tokenizers');

/**
 * A policy from a snapshot's verified bytes, built from memory; a Hugging Face tokenizer (which reads its files from
 * disk, and whose files a later snapshot copies) gets them in a kept folder.
 */
async function buildPolicy(
  ctx: PolicyRun,
  ref: PolicyRef,
  files: Map<string, Uint8Array>,
  trainable: boolean
): Promise<Policy> {
  const options = { learningRate: ctx.config.grpo.learningRate, seed: ctx.config.seed, optimizer: trainable };
  const tokenizerDir = needsTokenizerFolder(files.keys())
    ? await keepTokenizerFiles(files, TOKENIZER_FOLDERS)
    : undefined;
  return Policy.load(memoryFiles(ctx.store.uriOf(ref.key), files, tokenizerDir), options);
}

function hold(ctx: PolicyRun, next: Held): void {
  const prev = held.get(ctx.run.base);
  if (prev && prev.policy !== next.policy) prev.policy.dispose();
  held.set(ctx.run.base, next);
}
/** Forgets (and frees) the in-memory policy of a run, e.g. after an update failed half-way. */
export function dropPolicy(ctx: PolicyRun): void {
  const h = held.get(ctx.run.base);
  if (h) h.policy.dispose();
  held.delete(ctx.run.base);
}

/** A policy from a checkpoint folder (file:// or s3:// URI, or a path), with the run's tokenizer, rate and seed. */
export async function loadCheckpointPolicy(config: ExperimentConfig, uri: string): Promise<Policy> {
  const src = resolveCheckpointSource(uri);
  const store = openBlobStore(src);
  const files = await store.list('');
  if (files.length === 0) throw new Error(`${src}: no files there (no such folder, or an empty one)`);
  return withTempDir(async (dir) => {
    for (const { key } of files) await store.getToFile(key, path.join(dir, key));
    return Policy.load(dir, {
      learningRate: config.grpo.learningRate,
      tokenizer: tokenizerSpecOf(config),
      seed: config.seed,
    });
  });
}

/** The base policy: the configured checkpoint, or fresh weights from the preset/shape and the seed. */
export async function basePolicy(ctx: PolicyRun): Promise<Policy> {
  const { config } = ctx;
  if (config.model.checkpoint) return loadCheckpointPolicy(config, config.model.checkpoint);
  return Policy.create({
    preset: config.model.preset,
    shape: config.model.shape,
    tokenizer: tokenizerSpecOf(config),
    seed: config.seed,
    learningRate: config.grpo.learningRate,
  });
}

const references = new Map<string, Promise<Policy>>();

/**
 * The frozen reference of the KL term: the base policy (GZ, OT: the model RL started from), loaded once per run and
 * worker and never trained. Rebuilt identically after a crash (same checkpoint, or same seed for fresh weights).
 */
export function referencePolicy(ctx: PolicyRun): Promise<Policy> {
  let p = references.get(ctx.run.base);
  if (!p) {
    p = basePolicy(ctx);
    references.set(ctx.run.base, p);
    p.catch(() => references.delete(ctx.run.base));
  }
  return p;
}

/** Writes the policy as the snapshot after its step, keeps the newest two, and holds it in memory. */
export async function snapshotPolicy(
  ctx: PolicyRun,
  policy: Policy,
  stage: string,
  extra: Record<string, unknown> = {}
): Promise<PolicyRef> {
  const { prefix, manifest } = await withTempDir(async (dir) => {
    const files = await policy.save(dir, {
      configHash: ctx.run.configHash,
      extra: { runId: ctx.run.runId, stage, ...extra },
    });
    return writeCheckpoint(
      ctx.store,
      runKeys.policyRoot(),
      policy.step,
      files.map((f) => ({ path: f.path, localPath: f.localPath })),
      { experiment: ctx.run.experiment, run: ctx.run.runId, stage, configHash: ctx.run.configHash }
    );
  });
  await applyRetention(ctx.store, runKeys.policyRoot(), { keepLast: 2 });
  hold(ctx, { key: prefix, sha256: manifest.manifestSha256, policy, trainable: true });
  return { step: policy.step, key: prefix, ...(manifest.manifestSha256 ? { sha256: manifest.manifestSha256 } : {}) };
}
