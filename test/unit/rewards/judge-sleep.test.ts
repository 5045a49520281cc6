import assert from 'node:assert/strict';
import { test } from 'node:test';
import { abortableSleep } from '../../../rewards/judge/sleep.ts';

test('abortableSleep resolves true once the time has passed', async () => {
  const started = performance.now();
  assert.equal(await abortableSleep(30), true);
  assert.ok(performance.now() - started >= 25);
});

test('abortableSleep resolves false at once when the signal aborts, before or during the wait', async () => {
  assert.equal(await abortableSleep(10_000, AbortSignal.abort()), false);
  const controller = new AbortController();
  const started = performance.now();
  const waiting = abortableSleep(10_000, controller.signal);
  setTimeout(() => controller.abort(), 10);
  assert.equal(await waiting, false);
  assert.ok(performance.now() - started < 5_000);
});
