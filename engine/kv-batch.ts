/**
 * The rows decoding together with a KV cache, and how rows leave and join it (continuous batching).
 *
 * Every row's cache is left-padded to the batch's common length. A row joins with the padding it would have had in one
 * static batch of all rows (`staticPadding`: the longest prompt minus its own), plus, when it joins a batch that has
 * already decoded some tokens, the extra masked columns up to the batch's length. Leading columns masked in every row
 * are sliced off as rows change, so the cache never grows past the longest prompt plus the longest response and a
 * row whose extra padding is gone is laid out exactly as in the static batch. Masked keys add exact zeros, so on the
 * cpu backend a row's numbers do not depend on the extra padding; on wasm they can move in the last bit.
 */
import * as tf from '@tensorflow/tfjs';
import { candidateCount, candidatesSettle, type RowLogits, type SamplingOptions } from './logits-processing.ts';
import type { FusedProjections } from './model/fused.ts';
import { disposeCache, forward, type KvCache, lmHead } from './model/transformer.ts';
import type { ModelConfig, Params } from './types.ts';

/** A row as the batch sees it: its prompt and the tokens fed back so far. */
export interface BatchRow {
  /** Index of the row's prompt in the prompts being prefilled. */
  promptSlot: number;
  prompt: number[];
  /** Left padding of the row in the batch's cache (masked keys); changes as the batch changes. */
  padding: number;
  /** Left padding in one static batch of all rows: the longest prompt minus this prompt. */
  staticPadding: number;
  tokens: number[];
}

/** Rows decoding together, their shared cache, and the logits of each row's next token. */
export interface Batch<R extends BatchRow> {
  rows: R[];
  cache?: KvCache;
  logits: RowLogits[];
}

export interface BatchModel {
  params: Params;
  config: ModelConfig;
  fused: FusedProjections;
  padId: number;
  /** Length every prompt is left-padded to at prefill. */
  promptLength: number;
  /** The rollout's sampling: with top-k only each row's best k + 1 logits leave the backend. Default: whole rows. */
  sampling?: SamplingOptions;
}

export function emptyBatch<R extends BatchRow>(): Batch<R> {
  return { rows: [], logits: [] };
}

/**
 * Logits [rows, vocab] on the host, row by row: each row's k + 1 largest (in ascending id order) when they settle
 * the choice under `sampling` (engine/logits-processing.ts), else whole rows. Disposes `logits`.
 */
export function hostLogits(logits: tf.Tensor, sampling: SamplingOptions | undefined): RowLogits[] {
  const [rows, vocab] = logits.shape as [number, number];
  const n = sampling ? candidateCount(sampling, vocab) : 0;
  if (n > 0) {
    const top = tf.topk(logits, n);
    const values = top.values.dataSync() as Float32Array;
    const ids = top.indices.dataSync() as Int32Array;
    tf.dispose([top.values, top.indices]);
    const out: RowLogits[] = [];
    for (let r = 0; r < rows && candidatesSettle(values.subarray(r * n, (r + 1) * n), sampling!); r++) {
      const order = Array.from({ length: n }, (_, j) => r * n + j).sort((a, b) => ids[a] - ids[b]);
      out.push({ values: Float32Array.from(order, (j) => values[j]), ids: Int32Array.from(order, (j) => ids[j]) });
    }
    if (out.length === rows) {
      logits.dispose();
      return out;
    }
  }
  const all = logits.dataSync() as Float32Array;
  logits.dispose();
  return Array.from({ length: rows }, (_, r) => ({ values: all.slice(r * vocab, (r + 1) * vocab) }));
}

/** Prefills the distinct prompts of `rows` once and copies each prompt's cache and last logits to its rows. */
export function prefill<R extends BatchRow>(m: BatchModel, prompts: number[][], rows: R[]): Batch<R> {
  const slots = [...new Set(rows.map((r) => r.promptSlot))];
  const slotOf = new Map(slots.map((s, i) => [s, i]));
  const padded = slots.map((s) => m.promptLength - prompts[s].length);
  const out = tf.tidy(() => {
    const { hidden, cache } = forward(m.params, m.config, {
      ids: slots.map((s, i) => [...new Array(padded[i]).fill(m.padId), ...prompts[s]]),
      padding: padded,
      useCache: true,
      fused: m.fused,
    });
    const t = hidden.shape[1]!;
    const last = lmHead(m.params, m.config, hidden.slice([0, t - 1, 0], [-1, 1, -1]).squeeze([1]));
    const copies = tf.tensor1d(
      rows.map((r) => slotOf.get(r.promptSlot)!),
      'int32'
    );
    return {
      last: tf.gather(last, copies),
      layers: cache!.layers.map((layer) => ({ k: tf.gather(layer.k, copies), v: tf.gather(layer.v, copies) })),
    };
  });
  for (const r of rows) r.padding = r.staticPadding;
  return { rows, cache: { layers: out.layers, length: m.promptLength }, logits: hostLogits(out.last, m.sampling) };
}

/** The batch with only the rows at `keep` (indices into `batch.rows`); disposes the old cache. */
export function keepRows<R extends BatchRow>(batch: Batch<R>, keep: number[]): Batch<R> {
  if (keep.length === batch.rows.length) return batch;
  const old = batch.cache;
  let cache: KvCache | undefined;
  if (old && keep.length > 0) {
    const idx = tf.tensor1d(keep, 'int32');
    cache = {
      length: old.length,
      layers: old.layers.map((layer) => ({ k: tf.gather(layer.k, idx), v: tf.gather(layer.v, idx) })),
    };
    idx.dispose();
  }
  disposeCache(old);
  return { rows: keep.map((i) => batch.rows[i]), cache, logits: keep.map((i) => batch.logits[i]) };
}

/** The tensors of one decoding step (inside the caller's tf.tidy): the next logits [rows, vocab] and the new cache. */
export function decodeTensors<R extends BatchRow>(
  m: BatchModel,
  batch: Batch<R>
): { last: tf.Tensor; layers: KvCache['layers'] } {
  const { hidden, cache } = forward(m.params, m.config, {
    ids: batch.rows.map((r) => [r.tokens[r.tokens.length - 1]]),
    padding: batch.rows.map((r) => r.padding),
    cache: batch.cache,
    useCache: true,
    fused: m.fused,
  });
  return { last: lmHead(m.params, m.config, hidden.squeeze([1])), layers: cache!.layers };
}

/** Feeds every row's last token through the model: the cache grows by one column and the logits move on. */
export function decodeStep<R extends BatchRow>(m: BatchModel, batch: Batch<R>): Batch<R> {
  const old = batch.cache!;
  const out = tf.tidy(() => decodeTensors(m, batch));
  disposeCache(old);
  return {
    rows: batch.rows,
    cache: { layers: out.layers, length: old.length + 1 },
    logits: hostLogits(out.last, m.sampling),
  };
}

/**
 * `running` with the freshly prefilled `joining` rows appended: their caches are left-padded with masked zero
 * columns to the running cache's length. Disposes both inputs' caches.
 */
export function join<R extends BatchRow>(running: Batch<R>, joining: Batch<R>): Batch<R> {
  if (running.rows.length === 0 || !running.cache) return joining;
  const a = running.cache;
  const b = joining.cache!;
  const extra = a.length - b.length;
  // The running cache's spare columns (in-place writes) become the joining rows' too.
  const spare = a.layers[0].k.shape[2]! - a.length;
  const layers = tf.tidy(() =>
    a.layers.map((layer, l) => {
      const widen = (t: tf.Tensor) =>
        extra > 0 || spare > 0
          ? tf.pad(t, [
              [0, 0],
              [0, 0],
              [extra, spare],
              [0, 0],
            ])
          : t;
      return {
        k: tf.concat([layer.k, widen(b.layers[l].k)], 0),
        v: tf.concat([layer.v, widen(b.layers[l].v)], 0),
      };
    })
  );
  for (const r of joining.rows) r.padding += extra;
  disposeCache(a);
  disposeCache(b);
  return {
    rows: [...running.rows, ...joining.rows],
    cache: { layers, length: a.length },
    logits: [...running.logits, ...joining.logits],
  };
}

/** Slices off the leading cache columns that are extra padding in every row (none in a static batch). */
export function trimPadding<R extends BatchRow>(batch: Batch<R>): Batch<R> {
  const old = batch.cache;
  if (!old || batch.rows.length === 0) return batch;
  const cut = Math.min(...batch.rows.map((r) => r.padding - r.staticPadding));
  if (cut <= 0) return batch;
  const layers = old.layers.map((layer) => ({
    k: layer.k.slice([0, 0, cut, 0], [-1, -1, -1, -1]),
    v: layer.v.slice([0, 0, cut, 0], [-1, -1, -1, -1]),
  }));
  disposeCache(old);
  for (const r of batch.rows) r.padding -= cut;
  return { ...batch, cache: { layers, length: old.length - cut } };
}
