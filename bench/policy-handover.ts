/**
 * `npm run bench -- policy-handover [--rounds N] [--store file|s3|both] [--baseline <checkout>]`: what a GPU worker
 * pays to take over a policy version it does not hold — training/policy-store.ts `fetchPolicy(…, 'sampling')`: the
 * snapshot's files downloaded and verified (sha256 of each against the manifest) and the policy built — for the demo
 * base model and the Qwen2-shaped 6.3 M model of the fan-out bench, from a file:// store and/or a real S3 server
 * (MinIO on loopback, started here unless OMNI_ZERO_S3_ENDPOINT names one).
 *
 * With `--baseline <checkout>` (another checkout of this repository, e.g. main's), that checkout's fetchPolicy runs
 * too, alternating with this one round by round in the same process on the same snapshot, so load from other jobs
 * falls on both alike. The native backend with one intra-op and one inter-op thread, as a fan-out GPU worker has.
 *
 * Prints JSON: per store, model and implementation, every fetch's wall, download, build and process CPU milliseconds and
 * their medians; the machine and its load average before and after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initBackend } from '../engine/backend.ts';
import { Policy, templateTagTokens } from '../engine/policy.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { openBlobStore } from '../storage/open.ts';
import { freshBucket, stopOwnS3 } from '../test/helpers/s3.ts';
import { minimal, valid } from '../test/unit/schemas/minimal.ts';
import type { PolicyRef, PolicyRun } from '../training/policy-store.ts';
import * as current from '../training/policy-store.ts';
import { QWEN2_6M } from './bench-models.ts';
import { machineInfo } from './machine.ts';

type Store = Pick<typeof current, 'fetchPolicy' | 'dropPolicy'>;
interface Fetch {
  wallMs: number;
  downloadMs: number;
  buildMs: number;
  cpuMs: number;
}

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const LEARNING_RATE = 1e-6;

function usage(why: string): never {
  console.error(
    `usage: npm run bench -- policy-handover [--rounds N] [--store file|s3|both] [--baseline <checkout dir>]   (${why})`
  );
  process.exit(1);
}

const STORES = { file: ['file'], s3: ['s3'], both: ['file', 's3'] } as const;

function options(args: string[]): { rounds: number; stores: readonly ('file' | 's3')[]; baseline?: string } {
  const out: { rounds: number; stores: readonly ('file' | 's3')[]; baseline?: string } = {
    rounds: 7,
    stores: STORES.file,
  };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--rounds' && Number.isInteger(Number(value)) && Number(value) >= 1) out.rounds = Number(value);
    else if (flag === '--store' && value in STORES) out.stores = STORES[value as keyof typeof STORES];
    else if (flag === '--baseline' && value) out.baseline = path.resolve(value);
    else usage(`got '${args.join(' ')}'`);
  }
  return out;
}

async function baselineStore(checkout: string): Promise<Store> {
  try {
    return await import(pathToFileURL(path.join(checkout, 'training', 'policy-store.ts')).href);
  } catch (err) {
    usage(`no training/policy-store.ts to load in ${checkout}: ${(err as Error).message}`);
  }
}

const models: Record<string, () => Promise<Policy>> = {
  demo: () => Policy.load(path.join(ROOT, 'models', 'demo-base'), { learningRate: LEARNING_RATE, seed: 1 }),
  'qwen2-6m': async () =>
    Policy.create({
      shape: QWEN2_6M,
      tokenizer: { type: 'byte', tagTokens: templateTagTokens({ thinkTag: 'think', answerTag: 'answer' }) },
      seed: 1,
      learningRate: LEARNING_RATE,
    }),
};

async function timedFetch(store: Store, ctx: PolicyRun, ref: PolicyRef): Promise<Fetch> {
  store.dropPolicy(ctx);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const { fetch } = await store.fetchPolicy(ctx, ref, 'sampling');
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  store.dropPolicy(ctx);
  if (fetch.held) throw new Error('the bench fetched a held policy: it measures nothing');
  return { wallMs, downloadMs: fetch.downloadMs, buildMs: fetch.buildMs, cpuMs: (used.user + used.system) / 1000 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round1 = (x: number) => Math.round(x * 10) / 10;

function summary(fetches: Fetch[]) {
  const of = (k: keyof Fetch) => round1(median(fetches.map((f) => f[k])));
  return {
    median: { wallMs: of('wallMs'), downloadMs: of('downloadMs'), buildMs: of('buildMs'), cpuMs: of('cpuMs') },
    samples: fetches.map((f) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, round1(v)]))),
  };
}

/** Every implementation's fetches of one model's snapshot in `blobs`, alternating which goes first each round. */
async function benchModel(name: string, blobs: BlobStore, stores: Record<string, Store>, rounds: number) {
  const ctx: PolicyRun = {
    run: { experiment: 'handover', runId: name, base: blobs.uri, configHash: 'c'.repeat(64) },
    store: blobs,
    config: valid({ ...minimal(), grpo: { learningRate: LEARNING_RATE } }),
  };
  const policy = await models[name]();
  policy.step = 1;
  const ref = await current.snapshotPolicy(ctx, policy, 'math');
  current.dropPolicy(ctx);
  const weights = (await ctx.store.head(`${ref.key}/model.safetensors`))?.bytes;
  const names = Object.keys(stores);
  for (const n of names) await timedFetch(stores[n], ctx, ref); // warm-up: module code, first allocations
  const fetches = Object.fromEntries(names.map((n) => [n, [] as Fetch[]]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const n of order) fetches[n].push(await timedFetch(stores[n], ctx, ref));
  }
  const results = Object.fromEntries(names.map((n) => [n, summary(fetches[n])]));
  const ratio =
    'baseline' in results
      ? Math.round((results.baseline.median.wallMs / results.current.median.wallMs) * 100) / 100
      : undefined;
  return { weightsBytes: weights, ...results, ...(ratio !== undefined ? { baselineOverCurrentWall: ratio } : {}) };
}

/** A fresh, empty store of the kind asked for, and how to remove it. */
async function freshStore(kind: 'file' | 's3'): Promise<{ blobs: BlobStore; remove: () => Promise<void> }> {
  if (kind === 's3') return { blobs: await freshBucket('oz-handover'), remove: async () => {} };
  const dir = await mkdtemp(path.join(os.tmpdir(), 'oz-handover-'));
  return { blobs: openBlobStore(pathToFileURL(dir).href), remove: () => rm(dir, { recursive: true, force: true }) };
}

const opts = options(process.argv.slice(3));
// One core's worth of threads, as a fan-out GPU worker runs (TensorFlow reads these at its first op).
process.env.TF_NUM_INTRAOP_THREADS ??= '1';
process.env.TF_NUM_INTEROP_THREADS ??= '1';
const backend = await initBackend({ force: process.env.OMNI_ZERO_BACKEND || 'tensorflow' });
const stores: Record<string, Store> = { current };
if (opts.baseline) stores.baseline = await baselineStore(opts.baseline);
const loadBefore = os.loadavg();
const cases: Record<string, Record<string, unknown>> = {};
try {
  for (const kind of opts.stores) {
    cases[kind] = {};
    for (const name of Object.keys(models)) {
      const { blobs, remove } = await freshStore(kind);
      try {
        cases[kind][name] = await benchModel(name, blobs, stores, opts.rounds);
      } finally {
        await remove();
      }
      console.error(JSON.stringify({ store: kind, model: name, done: true }));
    }
  }
} finally {
  await stopOwnS3();
}
console.log(
  JSON.stringify(
    {
      machine: { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg() },
      backend: backend.name,
      threads: { intraOp: process.env.TF_NUM_INTRAOP_THREADS, interOp: process.env.TF_NUM_INTEROP_THREADS },
      rounds: opts.rounds,
      ...(opts.baseline ? { baseline: opts.baseline } : {}),
      cases,
    },
    null,
    2
  )
);
