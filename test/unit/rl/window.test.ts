import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type LinearWindow, type WindowStep, windowAt, windowScheduleProblems } from '../../../rl/window.ts';

const STEPS: WindowStep[] = [
  { fromStep: 0, maxTokens: 2048 },
  { fromStep: 100, maxTokens: 4096 },
  { fromStep: 300, maxTokens: 8192 },
];
const RAMP: LinearWindow = { from: 2048, to: 24576, startStep: 0, endStep: 700 };

test('step-wise: the last entry whose fromStep ≤ step', () => {
  assert.equal(windowAt(STEPS, 0), 2048);
  assert.equal(windowAt(STEPS, 99), 2048);
  assert.equal(windowAt(STEPS, 100), 4096);
  assert.equal(windowAt(STEPS, 299), 4096);
  assert.equal(windowAt(STEPS, 300), 8192);
  assert.equal(windowAt(STEPS, 1_000_000), 8192);
  assert.equal(windowAt([{ fromStep: 0, maxTokens: 512 }], 7), 512);
});

test('linear ramp 2048 → 24576 over 700 steps, rounded down', () => {
  assert.equal(windowAt(RAMP, 0), 2048);
  assert.equal(windowAt(RAMP, 1), 2080); // 2048 + ⌊22528·1/700⌋ = 2048 + ⌊32.18⌋
  assert.equal(windowAt(RAMP, 350), 13312); // 2048 + 22528/2
  assert.equal(windowAt(RAMP, 699), 24543); // 2048 + ⌊15747072/700 = 22495.8⌋
  assert.equal(windowAt(RAMP, 700), 24576);
  assert.equal(windowAt(RAMP, 5000), 24576);
  const late = { ...RAMP, startStep: 100, endStep: 200 };
  assert.equal(windowAt(late, 50), 2048, 'before startStep');
  assert.equal(windowAt(late, 150), 13312);
});

test('linear ramp with multipleOf 256', () => {
  const r = { ...RAMP, multipleOf: 256 };
  assert.equal(windowAt(r, 1), 2048); // ⌊2080/256⌋·256 = 8·256
  assert.equal(windowAt(r, 699), 24320); // ⌊24543/256 = 95.87⌋·256
  assert.equal(windowAt(r, 700), 24576);
  // Never below from, even when from is not a multiple: step 1 ramps to 1000 + ⌊1000/100⌋ = 1010, and
  // ⌊1010/256⌋·256 = 768 would undercut it; step 3 → 1030 → 1024 ≥ from.
  const odd = { from: 1000, to: 2000, startStep: 0, endStep: 100, multipleOf: 256 };
  assert.equal(windowAt(odd, 1), 1000);
  assert.equal(windowAt(odd, 3), 1024);
});

test('problems are listed with their place', () => {
  assert.deepEqual(windowScheduleProblems(STEPS), []);
  assert.deepEqual(windowScheduleProblems(RAMP), []);
  assert.deepEqual(
    windowScheduleProblems([]).map((p) => p.path),
    ['']
  );
  const bad = windowScheduleProblems([
    { fromStep: 10, maxTokens: 2048 },
    { fromStep: 10, maxTokens: 1024 },
    { fromStep: 5.5, maxTokens: 0 },
  ]);
  assert.deepEqual(
    bad.map((p) => p.path),
    ['[0].fromStep', '[1].fromStep', '[1].maxTokens', '[2].fromStep', '[2].maxTokens']
  );
  assert.match(bad[0].message, /must be 0/);
  assert.match(bad[1].message, /greater than the previous entry's 10/);
  assert.match(bad[2].message, /only grows/);
  assert.deepEqual(
    windowScheduleProblems({ from: 4096, to: 2048, startStep: 5, endStep: 5, multipleOf: 0 }).map((p) => p.path),
    ['to', 'endStep', 'multipleOf']
  );
});

test('windowAt refuses an invalid schedule or step', () => {
  assert.throws(() => windowAt([{ fromStep: 3, maxTokens: 2048 }], 5), /window: \[0\]\.fromStep must be 0/);
  assert.throws(() => windowAt(STEPS, -1), /step/);
  assert.throws(() => windowAt(STEPS, 1.5), /step/);
});

test('property: the ramp never decreases and stays within [from, to]', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 8192 }),
      fc.integer({ min: 0, max: 30000 }),
      fc.integer({ min: 0, max: 500 }),
      fc.integer({ min: 1, max: 1000 }),
      fc.integer({ min: 1, max: 512 }),
      fc.integer({ min: 0, max: 2000 }),
      (from, extra, startStep, span, multipleOf, step) => {
        const r = { from, to: from + extra, startStep, endStep: startStep + span, multipleOf };
        const w = windowAt(r, step);
        assert.ok(w >= r.from && w <= r.to);
        assert.ok(windowAt(r, step + 1) >= w);
      }
    )
  );
});

test('the experiment config’s tagged shapes are accepted as they are', () => {
  assert.equal(windowAt({ type: 'steps', steps: STEPS }, 150), 4096);
  assert.equal(windowAt({ type: 'linear', ...RAMP }, 350), 13312);
  assert.deepEqual(
    windowScheduleProblems({ type: 'steps', steps: [{ fromStep: 1, maxTokens: 8 }] }).map((p) => p.path),
    ['steps[0].fromStep']
  );
  assert.deepEqual(
    windowScheduleProblems({ type: 'ramp', from: 1 } as never).map((p) => p.path),
    ['type']
  );
});
