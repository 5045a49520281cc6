/**
 * The checks a resumed (or killed-and-recovered) run must pass against the same run left alone, each of which a bad
 * resume fails: the weights moved away from the base, the gradient after the resume point is not zero, the batch at
 * the resume step is the uninterrupted run's (data cursor kept), the Adam moments of every later checkpoint are the
 * uninterrupted run's (optimizer state kept), and the final weights are the uninterrupted run's. Run on a config that
 * learns (learning-config.ts): on one whose gradient is zero every checkpoint equals the base and these checks pass
 * for any resume.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunContext } from '../../activities/run-context.ts';
import { initBackend } from '../../engine/backend.ts';
import { MODEL_FILE, OPTIMIZER_FILE } from '../../engine/checkpoint/checkpoint.ts';
import { decodeSafetensors } from '../../engine/checkpoint/safetensors.ts';
import { parseExperimentConfig } from '../../schemas/parse.ts';
import type { StepMetrics } from '../../schemas/records/step-metrics.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { joinKey } from '../../storage/blob-store.ts';
import { listCheckpoints } from '../../storage/checkpoints.ts';
import { runKeys, stepOfKey } from '../../storage/run-layout.ts';
import { basePolicy } from '../../training/policy-store.ts';

/** What each check asserts; a failure message starts with its name. */
export const HONEST_CHECKS = {
  moved: 'the final weights differ from the base',
  gradient: 'every step from the resume point on has a gradient norm > 0',
  nextBatch: 'the batch sampled at the resume step is the uninterrupted run’s (data cursor kept)',
  adam: 'the Adam moments of every checkpoint after the resume point are the uninterrupted run’s',
  weights: 'the final weights are the uninterrupted run’s',
} as const;
export type HonestCheck = keyof typeof HONEST_CHECKS;

export interface HonestResumeInput {
  /** The base store of the run left alone. */
  reference: BlobStore;
  /** The base store of the resumed (or killed) run. */
  resumed: BlobStore;
  /** The base policy's model.safetensors bytes (e.g. models/demo-base). */
  baseWeights: Uint8Array;
  /** The first step the resumed run trained after the interruption. */
  resumeStep: number;
  /** The plan's last global step (the final checkpoint's step). */
  finalStep: number;
}

export interface HonestResumeResult {
  /** The checks that failed, each with why. Empty: the resume is honest. */
  failed: Partial<Record<HonestCheck, string>>;
  /** Figures for the test's diagnostics. */
  figures: { maxWeightChangeFromBase: number; gradNorms: Record<number, number | null>; adamSteps: number[] };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const checkpointFile = (store: BlobStore, step: number, file: string) =>
  store.get(joinKey('checkpoints', `step-${String(step).padStart(8, '0')}`, file));
/** A file of a checkpoint, or null when the checkpoint has none (a snapshot saved without its Adam state). */
const maybeFile = (store: BlobStore, step: number, file: string) => checkpointFile(store, step, file).catch(() => null);

/** The model.safetensors of a config's base policy (its checkpoint, or fresh weights from its preset and seed). */
export async function baseWeightsOf(rawConfig: unknown): Promise<Uint8Array> {
  const parsed = parseExperimentConfig(rawConfig);
  assert.ok(parsed.ok, 'the config validates');
  await initBackend();
  const policy = await basePolicy({ config: parsed.config } as RunContext);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-base-'));
  try {
    await policy.save(dir, { configHash: 'base' });
    return await readFile(path.join(dir, MODEL_FILE));
  } finally {
    policy.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Largest absolute difference between two safetensors files' tensors of the same name (F32). */
export function maxAbsDifference(a: Uint8Array, b: Uint8Array): number {
  const ta = decodeSafetensors(a).tensors;
  const tb = decodeSafetensors(b).tensors;
  assert.deepEqual([...ta.keys()].sort(), [...tb.keys()].sort(), 'the two weight files name the same tensors');
  let max = 0;
  for (const [name, x] of ta) {
    const y = tb.get(name)!;
    assert.equal(x.dtype, 'F32', `${name}: ${x.dtype}, expected F32`);
    for (let i = 0; i < x.data.length; i++) max = Math.max(max, Math.abs(Number(x.data[i]) - Number(y.data[i])));
  }
  return max;
}

async function stepMetrics(store: BlobStore): Promise<Map<number, StepMetrics>> {
  const out = new Map<number, StepMetrics>();
  for (const b of await store.list(runKeys.metricsPrefix())) {
    out.set(stepOfKey(b.key)!, JSON.parse(Buffer.from(await store.get(b.key)).toString('utf8')) as StepMetrics);
  }
  return out;
}

/** Runs every check; never throws for a failed check (the negative controls read which ones failed). */
export async function honestResumeChecks(o: HonestResumeInput): Promise<HonestResumeResult> {
  const failed: HonestResumeResult['failed'] = {};
  const finalWeights = await checkpointFile(o.resumed, o.finalStep, MODEL_FILE);
  const maxWeightChangeFromBase = maxAbsDifference(finalWeights, o.baseWeights);
  if (maxWeightChangeFromBase === 0) failed.moved = 'the final checkpoint holds the base weights bit for bit';

  const metrics = await stepMetrics(o.resumed);
  const gradNorms: Record<number, number | null> = {};
  for (let s = o.resumeStep; s < o.finalStep; s++) gradNorms[s] = metrics.get(s)?.gradNorm ?? null;
  const flat = Object.entries(gradNorms).filter(([, g]) => !(g !== null && g > 0));
  if (flat.length > 0) failed.gradient = `gradient norm not > 0 at steps ${flat.map(([s, g]) => `${s} (${g})`)}`;

  const [batchResumed, batchReference] = await Promise.all(
    [o.resumed, o.reference].map((s) => s.get(runKeys.prompts(o.resumeStep)))
  );
  if (sha(batchResumed) !== sha(batchReference))
    failed.nextBatch = `steps/${o.resumeStep}/prompts.jsonl differs: ${rowIds(batchResumed)} vs ${rowIds(batchReference)}`;

  const kept = new Set((await listCheckpoints(o.reference, '')).map((c) => c.step));
  const adamSteps = (await listCheckpoints(o.resumed, ''))
    .map((c) => c.step)
    .filter((s) => s > o.resumeStep && kept.has(s));
  assert.ok(adamSteps.includes(o.finalStep), `both runs keep the final checkpoint (common: ${adamSteps})`);
  const adamDiffers: number[] = [];
  for (const s of adamSteps) {
    const [a, b] = await Promise.all([o.resumed, o.reference].map((st) => maybeFile(st, s, OPTIMIZER_FILE)));
    if (!a || !b || sha(a) !== sha(b)) adamDiffers.push(s);
  }
  if (adamDiffers.length > 0) failed.adam = `optimizer.safetensors differs at steps ${adamDiffers}`;

  const referenceWeights = await checkpointFile(o.reference, o.finalStep, MODEL_FILE);
  if (sha(finalWeights) !== sha(referenceWeights))
    failed.weights = `model.safetensors at step ${o.finalStep} differs by up to ${maxAbsDifference(finalWeights, referenceWeights)}`;
  return { failed, figures: { maxWeightChangeFromBase, gradNorms, adamSteps } };
}

function rowIds(jsonl: Uint8Array): string {
  const ids = Buffer.from(jsonl)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { id: string }).id);
  return `[${ids.join(', ')}]`;
}

/** Asserts that every honest check passes, naming each failed one and why. */
export async function assertHonestResume(o: HonestResumeInput): Promise<HonestResumeResult> {
  const r = await honestResumeChecks(o);
  const why = Object.entries(r.failed).map(([k, v]) => `${HONEST_CHECKS[k as HonestCheck]}: NO (${v})`);
  assert.deepEqual(why, [], `dishonest resume:\n${why.join('\n')}`);
  return r;
}
