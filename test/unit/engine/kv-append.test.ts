/**
 * Appending to a KV cache: one new column per decoding step, written in place into spare columns on native
 * TensorFlow (concat elsewhere); the values seen are the same either way.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { appendColumns, columnsAfter, GROW_COLUMNS } from '../../../engine/model/kv-append.ts';
import { backend } from './_helpers.ts';

const inPlace = backend.name === 'tensorflow';

test('two decoded columns appended to a cache of 2 (hand-checked values, spare columns zero)', () => {
  // One row, one head, head width 2: columns [1, 2] and [3, 4], then [5, 6] and [7, 8].
  const cache = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
  const once = appendColumns(cache, tf.tensor4d([5, 6], [1, 1, 1, 2]), 2);
  const twice = appendColumns(once, tf.tensor4d([7, 8], [1, 1, 1, 2]), 3);
  // In place: one growth by GROW_COLUMNS holds both; by concat: exactly the columns used.
  const width = inPlace ? 2 + GROW_COLUMNS : 4;
  assert.equal(columnsAfter(2, 2, 1), inPlace ? width : 3);
  assert.equal(columnsAfter(inPlace ? width : 3, 3, 1), width);
  assert.deepEqual(twice.shape, [1, 1, width, 2]);
  const values = Array.from(twice.dataSync());
  assert.deepEqual(values.slice(0, 8), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(values.slice(8).every((x) => x === 0));
  tf.dispose([cache, once, twice]);
});

test('several heads and rows: each (row, head) gets its own new column', () => {
  // 2 rows × 2 heads × 3 columns of width 1: value = 100·row + 10·head + column.
  const values = [0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112];
  const cache = tf.tensor4d(values, [2, 2, 3, 1]);
  const grown = appendColumns(cache, tf.tensor4d([3, 13, 103, 113], [2, 2, 1, 1]), 3);
  const seen = grown.slice([0, 0, 0, 0], [-1, -1, 4, -1]).dataSync();
  assert.deepEqual(Array.from(seen), [0, 1, 2, 3, 10, 11, 12, 13, 100, 101, 102, 103, 110, 111, 112, 113]);
  tf.dispose([cache, grown]);
});

test('several new tokens (prefill) concatenate after the used columns', () => {
  const cache = tf.tensor4d([1, 2, 0, 0], [1, 1, 4, 1]);
  const out = appendColumns(cache, tf.tensor4d([3, 4], [1, 1, 2, 1]), 2);
  assert.deepEqual(out.shape, [1, 1, 4, 1]);
  assert.deepEqual(Array.from(out.dataSync()), [1, 2, 3, 4]);
  tf.dispose([cache, out]);
});
