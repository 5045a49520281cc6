/**
 * Appending new keys or values to a layer's KV cache [B, kvH, columns, D]. On native TensorFlow a decoding step
 * writes its one new column in place into spare columns (TensorFlow's InplaceUpdate writes into its input's buffer):
 * tf.concat copies the whole cache every step, a cost that grows with the length, so a rollout pays its square. The
 * cache grows by GROW_COLUMNS zero columns when full; columns past the tokens seen are masked in attention
 * (transformer.ts). Elsewhere, and for several new tokens, concat.
 */
import * as tf from '@tensorflow/tfjs';

/** Spare columns a full cache grows by: one copy of the cache every this many decoded tokens. */
export const GROW_COLUMNS = 16;

/** tfjs-node's backend: runs any TensorFlow op by name. */
interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
}

function writesInPlace(t: number): boolean {
  return t === 1 && tf.getBackend() === 'tensorflow';
}

/** Columns of the cache after appending t tokens to `used` of its `columns`. */
export function columnsAfter(columns: number, used: number, t: number): number {
  if (!writesInPlace(t)) return used + t;
  return columns > used ? columns : used + GROW_COLUMNS;
}

/**
 * The cache with `fresh` [B, kvH, t, D] written at column `used`. In place (one new token on native TensorFlow) the
 * result shares `cache`'s buffer: `cache` must not be read as the older cache afterwards.
 */
export function appendColumns(cache: tf.Tensor, fresh: tf.Tensor, used: number): tf.Tensor {
  const [b, heads, columns, d] = cache.shape as [number, number, number, number];
  const t = fresh.shape[2]!;
  if (!writesInPlace(t)) {
    const seen = columns > used ? cache.slice([0, 0, 0, 0], [-1, -1, used, -1]) : cache;
    return tf.concat([seen, fresh], 2);
  }
  const room = columns > used ? cache : tf.concat([cache, tf.zeros([b, heads, GROW_COLUMNS, d])], 2);
  const width = room.shape[2]!;
  const rows = tf.tensor1d(
    Array.from({ length: b * heads }, (_, i) => i * width + used),
    'int32'
  );
  const backend = tf.backend() as unknown as NativeBackend;
  const float = [{ name: 'T', type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT }];
  const written = backend.executeSingleOutput('InplaceUpdate', float, [
    room.reshape([b * heads * width, d]),
    rows,
    fresh.reshape([b * heads, d]),
  ]);
  return written.reshape([b, heads, width, d]);
}
