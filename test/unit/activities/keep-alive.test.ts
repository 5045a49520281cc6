import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { keepAlive } from '../../../activities/keep-alive.ts';

test('keepAlive heartbeats every third of the heartbeat timeout while the work runs, and stops after', async () => {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 600 });
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const out = await env.run(() =>
    keepAlive({ phase: 'checkpoint', step: 3 }, () => new Promise<string>((r) => setTimeout(() => r('done'), 1100)))
  );
  assert.equal(out, 'done');
  // 1,100 ms of work at one beat per 200 ms: about 5 (timers on a loaded machine may slip one).
  assert.ok(beats.length >= 4 && beats.length <= 6, `${beats.length} heartbeats`);
  assert.deepEqual(beats[0], { phase: 'checkpoint', step: 3 });
  const after = beats.length;
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(beats.length, after, 'no heartbeat after the work ended');
});

test('keepAlive passes a failure through and stops beating', async () => {
  const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
  let beats = 0;
  env.on('heartbeat', () => beats++);
  await assert.rejects(
    env.run(() =>
      keepAlive({}, () => new Promise((_, reject) => setTimeout(() => reject(new Error('S3 said no')), 700)))
    ),
    /S3 said no/
  );
  const after = beats;
  assert.ok(after >= 2, `${after} heartbeats`);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(beats, after);
});

test('outside an activity keepAlive just runs the work', async () => {
  assert.equal(await keepAlive({}, async () => 7), 7);
});
