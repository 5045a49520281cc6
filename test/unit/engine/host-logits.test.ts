/**
 * Top-k candidates from the backend: the k + 1 largest logits of a row settle top-k sampling, so choosing from them
 * gives the token and log-prob of choosing from the whole row; a tie at the edge sends the whole row instead.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { hostLogits } from '../../../engine/kv-batch.ts';
import {
  candidateCount,
  candidatesSettle,
  chooseFromRow,
  chooseToken,
  type SamplingOptions,
} from '../../../engine/logits-processing.ts';
import { mulberry32 } from '../../../rl/random.ts';
import './_helpers.ts';

test('candidate count: k + 1 with top-k over a vocabulary of at least 64·(k + 1), else the whole row', () => {
  assert.equal(candidateCount({ topK: 20 }, 1344), 21);
  assert.equal(candidateCount({ topK: 20 }, 1343), 0);
  assert.equal(candidateCount({ topK: 20, greedy: true }, 32768), 0);
  assert.equal(candidateCount({ topK: 20, repetitionPenalty: 1.1 }, 32768), 0);
  assert.equal(candidateCount({ topP: 0.9 }, 32768), 0);
});

test('a row of 128 with top-k 1: candidates when the second is lower, the whole row on a tie (hand-checked)', () => {
  // Ids 8..127 hold -1, below every logit written out.
  const tail = new Array(120).fill(-1);
  const rows = tf.tensor2d([
    [0.1, 5, 3, 4.5, 1, 2, 0, 4, ...tail],
    [0.1, 5, 3, 5, 1, 2, 0, 4, ...tail],
  ]);
  const [first, second] = tf.unstack(rows).map((r) => r.expandDims(0));
  // The backend sends 5 (id 1) and 4.5 (id 3), in id order; the tie 5, 5 needs the whole row.
  const [settled] = hostLogits(first, { topK: 1 });
  assert.deepEqual([...settled.ids!], [1, 3]);
  assert.deepEqual([...settled.values], [5, 4.5]);
  const [tied] = hostLogits(second, { topK: 1 });
  assert.equal(tied.ids, undefined);
  assert.equal(tied.values.length, 128);
  assert.deepEqual(chooseFromRow(settled, { topK: 1 }, [], 0.7), { token: 1, logprob: 0 });
  // A tie in one row sends every row of the step whole (one download).
  assert.ok(hostLogits(rows, { topK: 1 }).every((r) => r.ids === undefined && r.values.length === 128));
});

test('a tie made by the temperature is not settled', () => {
  // Neighbouring float32s just above 5.6, divided by 0.7, land near 8 where float32's spacing doubles: one value.
  const [low, high] = [5.600000381469727, 5.600000858306885];
  assert.equal(Math.fround(low), low);
  assert.equal(Math.fround(high / 0.7), Math.fround(low / 0.7));
  assert.equal(candidatesSettle([high, low], { temperature: 0.7 }), false);
  assert.equal(candidatesSettle([high, low], { temperature: 1 }), true);
});

test('choosing from the backend candidates is choosing from the whole row (property)', () => {
  let candidateRows = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.integer({ min: 1, max: 14 }),
      fc.constantFrom(0.7, 1, 1.3),
      fc.constantFrom(1, 0.8, 0.3),
      fc.double({ min: 0, max: 0.999999, noNaN: true }),
      (rowSeed, topK, temperature, topP, u) => {
        // 1000 logits in steps of 1/160 over [-25, 25]: some equal, so ties inside and at the edge of the top k happen.
        const random = mulberry32(rowSeed);
        const row = Float32Array.from({ length: 1000 }, () => Math.floor(random() * 8001 - 4000) / 160);
        const o: SamplingOptions = { topK, temperature, topP };
        const [fromBackend] = hostLogits(tf.tensor2d(row, [1, row.length]), o);
        if (fromBackend.ids) candidateRows++;
        assert.deepEqual(chooseFromRow(fromBackend, o, [], u), chooseToken(Float32Array.from(row), o, [], u));
      }
    ),
    { numRuns: 300, seed: 18 }
  );
  // Both paths ran: most rows came as candidates, some whole (a tie at the edge).
  assert.ok(candidateRows > 150 && candidateRows < 300, `${candidateRows} of 300 rows as candidates`);
});
