import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { disjointMerge, TiesMergeError, tiesMerge, trim } from '../../../training/ties-merge.ts';
import { assertAllClose } from '../rl/close.ts';

const tensors = (entries: Record<string, number[]>) =>
  new Map(Object.entries(entries).map(([k, v]) => [k, Float32Array.from(v)]));

// Two task vectors over 6 parameters, density 0.5 → each keeps 3 entries:
//   τA = [ .5, −.1, .3, 0,  .2,  0 ] → τ̂A = [ .5,  0, .3, 0,  .2, 0 ]
//   τB = [−.4,  .2, .1, 0, −.3, .1 ] → τ̂B = [−.4, .2,  0, 0, −.3, 0 ]
//   Σ  = [ .1,  .2, .3, 0, −.1,  0 ] → γ = [+, +, +, 0→majority +, −, 0→+]
//   disjoint mean = [ .5, .2, .3, 0, −.3, 0 ]
const base = tensors({ w: [0, 0, 0, 0], b: [1, 1] });
const modelA = tensors({ w: [0.5, -0.1, 0.3, 0], b: [1.2, 1.0] });
const modelB = tensors({ w: [-0.4, 0.2, 0.1, 0], b: [0.7, 1.1] });

test('hand-computed merge: trim to 50 %, elect by mass, disjoint mean, λ = 1', () => {
  const merged = tiesMerge(base, [modelA, modelB], { density: 0.5 });
  assertAllClose([...(merged.get('w') as Float32Array)], [0.5, 0.2, 0.3, 0], 1e-6);
  assertAllClose([...(merged.get('b') as Float32Array)], [0.7, 1], 1e-6);
});

test('λ scales the merged task vector', () => {
  const merged = tiesMerge(base, [modelA, modelB], { density: 0.5, lambda: 0.5 });
  assertAllClose([...(merged.get('w') as Float32Array)], [0.25, 0.1, 0.15, 0], 1e-6);
  assertAllClose([...(merged.get('b') as Float32Array)], [0.85, 1], 1e-6);
});

test('trim keeps the top entries by magnitude over the whole vector', () => {
  assert.deepEqual([...trim(Float64Array.from([0.5, -0.1, 0.3, 0, 0.2, 0]), 0.5)], [0.5, 0, 0.3, 0, 0.2, 0]);
  // ⌈0.2·6⌉ = 2 entries; the tie at |.3| keeps the first.
  assert.deepEqual([...trim(Float64Array.from([-0.3, 0.1, 0.3, 0.9, 0, 0]), 0.2)], [-0.3, 0, 0, 0.9, 0, 0]);
});

test('a parameter whose entries cancel takes the majority sign (reference code)', () => {
  // Σ = [0, .6] → γ = [0, +]; majority over parameters is + → parameter 0 averages the positive entry only.
  const merged = disjointMerge([Float64Array.from([0.2, 0.5]), Float64Array.from([-0.2, 0.1])]);
  assertAllClose([...merged], [0.2, 0.3], 1e-12);
});

test('one model at density 1 and λ = 1 merges to itself', () => {
  fc.assert(
    fc.property(fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 40 }), (w) => {
      const b = tensors({ w: w.map(() => 0.25) });
      const m = tensors({ w });
      assertAllClose([...(tiesMerge(b, [m], { density: 1 }).get('w') as Float32Array)], w, 1e-5);
    })
  );
});

test('models with a different shape or a bad density are refused with the reason', () => {
  assert.throws(() => tiesMerge(base, [tensors({ w: [0, 0, 0, 0] })]), /model 0 has no tensor 'b'/);
  assert.throws(() => tiesMerge(base, [tensors({ w: [0, 0, 0], b: [1, 1] })]), /'w' has 3 values, the base 4/);
  assert.throws(() => tiesMerge(base, [modelA], { density: 0 }), TiesMergeError);
  assert.throws(() => tiesMerge(base, []), /at least one/);
});
