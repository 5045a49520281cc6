/** The CAS worker: proves identities, and is killed at its deadline when mathjs runs away (then restarts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { casProvesZero, warmUpCas } from '../../../rewards/math/cas.ts';

test('proves a polynomial identity that simplify alone does not (rationalize expands)', () => {
  assert.ok(warmUpCas());
  assert.deepEqual(casProvesZero('(x+1)^2 - (x^2+2*x+1)', 10_000, true), { status: 'zero', by: 'rationalize' });
  assert.deepEqual(casProvesZero('x - 1', 10_000, true), { status: 'not-proved' });
});

test('a runaway rationalize is cut off at the deadline and the next call still works', () => {
  assert.ok(warmUpCas());
  const started = performance.now();
  // measured: this does not return within minutes in-thread
  const outcome = casProvesZero('(x+1)^30 - (x^2+2*x+1)^15', 300, true);
  const ms = performance.now() - started;
  assert.deepEqual(outcome, { status: 'timeout' });
  assert.ok(ms < 300 + 200, `took ${ms.toFixed(0)} ms`);
  // a fresh worker was started in the background; give it time to load, then it answers
  assert.ok(warmUpCas());
  assert.deepEqual(casProvesZero('2*x - x - x', 10_000, false), { status: 'zero', by: 'simplify' });
});

test('a zero or negative budget is an immediate timeout, and bad syntax is an error, never a throw', () => {
  assert.deepEqual(casProvesZero('x', 0, false), { status: 'timeout' });
  assert.ok(warmUpCas());
  const bad = casProvesZero('(((', 10_000, false);
  assert.equal(bad.status, 'error');
});
