/**
 * prepareTask: one task's data from its config section to training and held-out rows with a manifest (SPEC §7).
 * Order, cheapest and most certain first, the costly difficulty filter last on what is left:
 *   load (adapter, schema → quarantine) [+ sharegpt rules] | generate (synthetic world)
 *   → dedup → max-prompt-tokens → held-out split (or held-out file, then overlap removal)
 *   → category-downsample → difficulty → max-samples   (these three on training rows only)
 * The held-out set is taken before down-sampling and the difficulty filter, so evaluation sees the source's own
 * distribution rather than the prompts a reference model found middling.
 */
import { createHash } from 'node:crypto';
import type { TaskConfig } from '../schemas/experiment.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import type { ShareGptRules } from './adapters/types.ts';
import { DataInputError } from './errors.ts';
import { categoryDownsample } from './filters/category-downsample.ts';
import { dedupRows } from './filters/dedup.ts';
import { type DifficultyOptions, difficultyFilter } from './filters/difficulty.ts';
import { disjointFromHeldOut, seededSample, splitHeldOut } from './filters/split.ts';
import { type CountTokens, tokenLengthFilter } from './filters/token-length.ts';
import { countReasons, type FilterResult } from './filters/types.ts';
import { type OpenStore, toJsonl } from './jsonl.ts';
import { loadRows } from './load.ts';
import type { DataManifest, OutputInfo, StageCount } from './manifest.ts';
import { Quarantine } from './quarantine.ts';
import type { ReferencePolicy } from './reference-policy.ts';
import { formatOf } from './source-records.ts';
import type { VerifyOptions } from './verify.ts';
import { worldByName } from './worlds/index.ts';
import { generateWorld } from './worlds/world.ts';

/** Where prepared files go: the write side of a blob store (storage/blob-store.ts's BlobStore is one). */
export interface PreparedOutputStore {
  put(key: string, body: string): Promise<unknown>;
  uriOf(key: string): string;
}

export interface PrepareContext {
  /** The experiment seed; a synthetic source's own `seed` overrides it for the world. */
  seed: number;
  /** Policy-token count of a text, for maxPromptTokens. Default: UTF-8 bytes (exact for the byte tokenizer). */
  countTokens?: CountTokens;
  /** Reference policy for the difficulty filter; required when it is enabled. */
  referencePolicy?: ReferencePolicy;
  /** Verifier options (template tags, sandbox pool) for the difficulty filter. */
  verify?: VerifyOptions;
  /** Shard size, concurrency, known pass counts and shard callback of the difficulty filter. */
  difficulty?: Pick<DifficultyOptions, 'shardSize' | 'concurrency' | 'known' | 'onShard'>;
  /** Where to write train.jsonl, held-out.jsonl, quarantine.jsonl and manifest.json (written last). Default: nothing written. */
  output?: { store: PreparedOutputStore; prefix: string };
  /** Opens the blob store of an `s3://` source (storage/open.ts's `openBlobStore`); required for such sources. */
  openStore?: OpenStore;
  /** Progress of the current stage: (done, total, stage); total 0 while a streamed file's length is unknown. */
  onProgress?: (done: number, total: number, stage: string) => void;
  signal?: AbortSignal;
}

export interface PreparedTask {
  train: DatasetRow[];
  heldOut: DatasetRow[];
  manifest: DataManifest;
  /** URI of the quarantine file, when rows were quarantined and an output store was given. */
  quarantinePath?: string;
  /** URIs of everything written, when an output store was given. */
  outputs?: { train: string; heldOut: string; manifest: string; quarantine?: string };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function shareGptRules(task: TaskConfig): ShareGptRules | undefined {
  const s = task.filters.sharegpt;
  return s === undefined ? undefined : { split: s.split, maxTurns: s.maxTurns, minResponseChars: s.minResponseChars };
}

export async function prepareTask(name: string, task: TaskConfig, ctx: PrepareContext): Promise<PreparedTask> {
  const stages: StageCount[] = [];
  const quarantine = new Quarantine();
  const progress = (stage: string) => (done: number, total: number) => ctx.onProgress?.(done, total, stage);
  const apply = (stage: string, rows: DatasetRow[], r: FilterResult): DatasetRow[] => {
    stages.push({ stage, in: rows.length, out: r.kept.length, dropped: countReasons(r.dropped) });
    return r.kept;
  };
  const src = task.source;
  const seed = src.type === 'synthetic' ? (src.seed ?? ctx.seed) : ctx.seed;
  const filters = task.filters;
  if (filters.difficulty.enabled && ctx.referencePolicy === undefined) {
    throw new DataInputError(
      `tasks.${name}.filters.difficulty`,
      'is enabled but no reference policy was given (the worker supplies one from referenceModel or the base policy)'
    );
  }
  // Held-out rows that do not come out of the training pipeline (a world's, a separate file's) get the same prompt
  // limit, so evaluation never asks what training could not have fitted in the window.
  const heldOutLimit = (rows: DatasetRow[]): DatasetRow[] =>
    filters.maxPromptTokens == null
      ? rows
      : apply(
          'held-out max-prompt-tokens',
          rows,
          tokenLengthFilter(rows, { maxTokens: filters.maxPromptTokens, countTokens: ctx.countTokens })
        );
  const preFilter = (rows: DatasetRow[]): DatasetRow[] => {
    let out = rows;
    if (filters.dedup) out = apply('dedup', out, dedupRows(out, 'whitespace'));
    if (filters.maxPromptTokens != null) {
      out = apply(
        'max-prompt-tokens',
        out,
        tokenLengthFilter(out, { maxTokens: filters.maxPromptTokens, countTokens: ctx.countTokens })
      );
    }
    return out;
  };

  let train: DatasetRow[];
  let heldOut: DatasetRow[];
  if (src.type === 'synthetic') {
    const world = worldByName(src.world ?? task.kind);
    if (world.kind !== task.kind) {
      throw new DataInputError(
        `tasks.${name}.source.world`,
        `world '${world.name}' makes ${world.kind} tasks, but the task is of kind ${task.kind}`
      );
    }
    ctx.onProgress?.(0, src.trainSize + src.heldOutSize, 'generate');
    const g = generateWorld(world, { seed, trainSize: src.trainSize, heldOutSize: src.heldOutSize, task: name });
    stages.push({
      stage: 'generate',
      in: src.trainSize + src.heldOutSize,
      out: g.train.length + g.heldOut.length,
      dropped: {},
    });
    train = preFilter(g.train);
    heldOut = heldOutLimit(g.heldOut);
  } else {
    const adapterCtx = { task: name, kind: task.kind, seed, sharegpt: shareGptRules(task) };
    const formatOfUri = (uri: string) => formatOf(uri, src.type === 'jsonl' ? 'jsonl' : src.format);
    const loaded = await loadRows(src.uri, src.adapter, adapterCtx, {
      quarantine,
      onProgress: progress('load'),
      format: formatOfUri(src.uri),
      openStore: ctx.openStore,
    });
    const quarantined: Record<string, number> = {};
    for (const r of quarantine.records) {
      const k = `quarantine: ${r.reason.split(': ')[0]}`;
      quarantined[k] = (quarantined[k] ?? 0) + 1;
    }
    // One line may give several samples (ShareGPT turns): `out` counts samples before the ShareGPT rules.
    stages.push({
      stage: 'load',
      in: loaded.lines,
      out: loaded.rows.length + sumOf(loaded.adapterDropped),
      dropped: quarantined,
    });
    if (src.adapter === 'sharegpt') {
      const turns = loaded.rows.length + sumOf(loaded.adapterDropped);
      stages.push({ stage: 'sharegpt', in: turns, out: loaded.rows.length, dropped: loaded.adapterDropped });
    }
    let rows = preFilter(loaded.rows);
    if (src.heldOutUri !== undefined) {
      const before = quarantine.count;
      const h = await loadRows(src.heldOutUri, src.adapter, adapterCtx, {
        onProgress: progress('load-held-out'),
        format: formatOfUri(src.heldOutUri),
        openStore: ctx.openStore,
      });
      for (const r of h.quarantine.records) quarantine.add(r.line, `held-out file: ${r.reason}`, r.raw);
      stages.push({
        stage: 'load-held-out',
        in: h.lines,
        out: h.rows.length,
        dropped: quarantine.count > before ? { 'quarantine (held-out file)': quarantine.count - before } : {},
      });
      heldOut = heldOutLimit(h.rows);
      rows = apply('held-out-overlap', rows, disjointFromHeldOut(rows, heldOut));
    } else {
      const s = splitHeldOut(rows, src.heldOutSize, seed);
      stages.push({
        stage: 'held-out-split',
        in: rows.length,
        out: s.train.length,
        dropped: { ...(s.heldOut.length ? { 'moved to held-out': s.heldOut.length } : {}), ...countReasons(s.dropped) },
      });
      heldOut = s.heldOut;
      rows = s.train;
    }
    if (filters.categoryDownsample !== undefined) {
      const { field, total } = filters.categoryDownsample;
      rows = apply('category-downsample', rows, categoryDownsample(rows, { total, field, seed }));
    }
    train = rows;
  }
  if (filters.difficulty.enabled && ctx.referencePolicy) {
    const r = await difficultyFilter(train, {
      policy: ctx.referencePolicy,
      k: filters.difficulty.k,
      seed,
      verify: ctx.verify,
      ...ctx.difficulty,
      onProgress: progress('difficulty'),
      signal: ctx.signal,
    });
    if (r.kept.length === 0 && train.length > 0) throw allDropped(name, train.length, filters.difficulty.k, r);
    train = apply('difficulty', train, r);
  }
  if (src.type !== 'synthetic' && src.maxSamples !== undefined)
    train = apply('max-samples', train, seededSample(train, src.maxSamples, seed));
  if (train.length === 0) {
    throw new DataInputError(
      `tasks.${name}`,
      `no training rows left after preparation (stages: ${stages.map((s) => `${s.stage} ${s.in}→${s.out}`).join(', ')})`
    );
  }

  const trainText = toJsonl(train);
  const heldOutText = toJsonl(heldOut);
  const quarantineText = quarantine.count > 0 ? toJsonl(quarantine.records) : undefined;
  const info = (text: string, rows: number): OutputInfo => ({ rows, sha256: sha256(text) });
  const manifest: DataManifest = {
    task: name,
    kind: task.kind,
    source: { ...src },
    seed,
    tokenCounter: ctx.countTokens ? 'provided' : 'utf8-bytes',
    stages,
    quarantine: quarantine.summary(),
    outputs: {
      train: info(trainText, train.length),
      heldOut: info(heldOutText, heldOut.length),
      ...(quarantineText !== undefined ? { quarantine: info(quarantineText, quarantine.count) } : {}),
    },
  };
  if (ctx.output === undefined) return { train, heldOut, manifest };

  const { store, prefix } = ctx.output;
  const key = (file: string) => (prefix ? `${prefix.replace(/\/+$/, '')}/${file}` : file);
  const put = async (file: string, text: string) => {
    await store.put(key(file), text);
    return store.uriOf(key(file));
  };
  manifest.outputs.train.uri = await put('train.jsonl', trainText);
  manifest.outputs.heldOut.uri = await put('held-out.jsonl', heldOutText);
  if (quarantineText !== undefined && manifest.outputs.quarantine)
    manifest.outputs.quarantine.uri = await put('quarantine.jsonl', quarantineText);
  // Written last: a manifest exists only when everything it describes does (DESIGN's checkpoint rule, for data).
  const manifestUri = await put('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  return {
    train,
    heldOut,
    manifest,
    ...(manifest.outputs.quarantine?.uri ? { quarantinePath: manifest.outputs.quarantine.uri } : {}),
    outputs: {
      train: manifest.outputs.train.uri,
      heldOut: manifest.outputs.heldOut.uri,
      manifest: manifestUri,
      ...(manifest.outputs.quarantine?.uri ? { quarantine: manifest.outputs.quarantine.uri } : {}),
    },
  };
}

/** The difficulty filter left nothing: say how the prompts split and what to change. */
function allDropped(name: string, n: number, k: number, r: FilterResult): DataInputError {
  const easy = r.dropped.filter((d) => d.reason.startsWith(`solved ${k}/`)).length;
  const hard = n - easy;
  const advice =
    hard >= easy
      ? 'the reference is too weak for these prompts: raise k (more samples catch a rare success), raise maxTokens if ' +
        'its answers are cut off, or sample from a stronger reference (referenceModel: a trained checkpoint, or ' +
        'referenceEndpoint: a served model)'
      : 'the reference is too strong for these prompts: raise k (more samples catch a rare failure) or sample from a ' +
        'weaker reference (referenceModel, referenceEndpoint)';
  return new DataInputError(
    `tasks.${name}.filters.difficulty`,
    `dropped all ${n} training prompts: ${hard} solved 0/${k} times (too hard), ${easy} solved ${k}/${k} (too easy); ` +
      `${advice}; or set enabled: false`
  );
}

function sumOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((s, n) => s + n, 0);
}
