import assert from 'node:assert/strict';

/** Asserts |actual − expected| ≤ tol; for values the papers and rl-anchors print rounded to 6 decimals. */
export function assertClose(actual: number, expected: number, tol = 1e-6, what = ''): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what ? `${what}: ` : ''}expected ${expected} ± ${tol}, got ${actual} (off by ${Math.abs(actual - expected)})`
  );
}

export function assertAllClose(actual: readonly number[], expected: readonly number[], tol = 1e-6): void {
  assert.equal(actual.length, expected.length, `length ${actual.length} != ${expected.length}`);
  actual.forEach((a, i) => {
    assertClose(a, expected[i], tol, `[${i}]`);
  });
}
