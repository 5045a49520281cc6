/** The chaos drill's fault plan: reproducible from its seed, every kind dealt evenly, faults where they can matter. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { judgeScore } from '../../../bench/chaos/judge.ts';
import { chaosPlan, FAULT_KINDS, OUTAGE_RANGE_MS, type PlanOptions } from '../../../bench/chaos/plan.ts';

const base: PlanOptions = { runs: 20, seed: 1, faultsPerRun: 3, totalSteps: 6, judgedSteps: { first: 4, last: 5 } };

test('the same seed gives the same plan; another seed another one', () => {
  assert.deepEqual(chaosPlan(base), chaosPlan(base));
  assert.notDeepEqual(chaosPlan(base), chaosPlan({ ...base, seed: 2 }));
});

test('3 runs × 3 faults hold every kind; 20 runs × 3 deal each kind 8 or 9 times', () => {
  const three = chaosPlan({ ...base, runs: 3 }).flat();
  assert.deepEqual(new Set(three.map((f) => f.kind)), new Set(FAULT_KINDS));
  const counts = FAULT_KINDS.map(
    (k) =>
      chaosPlan(base)
        .flat()
        .filter((f) => f.kind === k).length
  );
  assert.equal(
    counts.reduce((a, b) => a + b),
    60
  );
  for (const n of counts) assert.ok(n === 8 || n === 9, `counts ${counts}`);
});

test('any plan: distinct boundaries in step order, a judge hang before the first judged step, outages in range', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 30 }), (seed, runs) => {
      for (const faults of chaosPlan({ ...base, seed, runs })) {
        assert.equal(faults.length, 3);
        const steps = faults.map((f) => f.afterStep);
        assert.deepEqual(
          steps,
          [...new Set(steps)].sort((a, b) => a - b)
        );
        for (const f of faults) {
          assert.ok(f.afterStep >= 0 && f.afterStep <= 4);
          assert.ok(f.delayFraction >= 0 && f.delayFraction <= (f.kind === 'judge-hang' ? 0.4 : 0.8));
          const range = OUTAGE_RANGE_MS[f.kind];
          if (range) assert.ok(f.outageMs >= range[0] && f.outageMs <= range[1], `${f.kind} ${f.outageMs}`);
          else assert.equal(f.outageMs, 0);
        }
        // A run whose faults straddle two decks may hold two judge hangs: one is armed before the first judged step
        // (step 4), which has a judged step after it.
        const hangs = faults.filter((f) => f.kind === 'judge-hang');
        if (hangs.length > 0) assert.ok(hangs.some((f) => f.afterStep === 3));
      }
    })
  );
});

test('bad plan options are refused with what to change', () => {
  assert.throws(() => chaosPlan({ ...base, faultsPerRun: 6 }), /faultsPerRun must be in 1\.\.5/);
  assert.throws(() => chaosPlan({ ...base, judgedSteps: { first: 0, last: 5 } }), /judged steps 0\.\.5 outside/);
});

test('the judge score: in [-5, 5], the same text the same score, varied over texts', () => {
  assert.equal(judgeScore('a poem about rain'), judgeScore('a poem about rain'));
  const scores = new Set(Array.from({ length: 200 }, (_, i) => judgeScore(`answer ${i}`)));
  for (const s of scores) assert.ok(Number.isInteger(s) && s >= -5 && s <= 5);
  assert.equal(scores.size, 11);
});
