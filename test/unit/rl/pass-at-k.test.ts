import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { meanPassAtK, passAtK } from '../../../rl/pass-at-k.ts';

const choose = (n: number, k: number): number => {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
};

test('pass@k by hand: 1 − C(n−c, k) / C(n, k)', () => {
  // n = 4, c = 1, k = 2: C(3,2)/C(4,2) = 3/6 → 0.5
  assert.equal(passAtK(4, 1, 2), 0.5);
  // n = 4, c = 2, k = 2: C(2,2)/C(4,2) = 1/6 → 5/6
  assert.ok(Math.abs(passAtK(4, 2, 2) - 5 / 6) < 1e-15);
  // n = 5, c = 2, k = 3: C(3,3)/C(5,3) = 1/10 → 0.9
  assert.ok(Math.abs(passAtK(5, 2, 3) - 0.9) < 1e-15);
  // n = 8, c = 1, k = 1: c / n
  assert.equal(passAtK(8, 1, 1), 0.125);
  // k = n: any right sample passes
  assert.equal(passAtK(4, 1, 4), 1);
  assert.equal(passAtK(4, 0, 4), 0);
  // n − c < k: every draw of k holds a right one
  assert.equal(passAtK(10, 8, 3), 1);
});

test('property: pass@k equals the binomial form, pass@1 = c/n, and it grows with k and with c', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), fc.nat(), (n, cs, ks) => {
      const c = cs % (n + 1);
      const k = 1 + (ks % n);
      const p = passAtK(n, c, k);
      const binomial = n - c < k ? 1 : 1 - choose(n - c, k) / choose(n, k);
      assert.ok(Math.abs(p - binomial) < 1e-9, `n=${n} c=${c} k=${k}: ${p} vs ${binomial}`);
      assert.ok(Math.abs(passAtK(n, c, 1) - c / n) < 1e-12);
      if (k < n) assert.ok(passAtK(n, c, k + 1) >= p - 1e-12);
      if (c < n) assert.ok(passAtK(n, c + 1, k) >= p - 1e-12);
    })
  );
});

test('pass@k refuses what it cannot estimate, naming the value', () => {
  assert.throws(() => passAtK(4, 1, 5), /k: must be in \[1, n=4\], got 5/);
  assert.throws(() => passAtK(4, 5, 2), /c: must be in \[0, n=4\], got 5/);
  assert.throws(() => passAtK(4, 1.5, 2), /whole numbers/);
});

test('mean pass@k over prompts leaves out those with fewer than k scored samples', () => {
  // (4,1) → 0.5, (4,0) → 0, (4,4) → 1; (1,1) has too few samples for k = 2
  const prompts = [
    { scored: 4, full: 1 },
    { scored: 4, full: 0 },
    { scored: 4, full: 4 },
    { scored: 1, full: 1 },
  ];
  assert.equal(meanPassAtK(prompts, 2), 0.5);
  assert.equal(meanPassAtK([{ scored: 1, full: 1 }], 2), null);
  assert.equal(meanPassAtK([], 1), null);
});
