/** A rollout shard's time split (activities/rollout-timings.ts): laps, dispatch latency, the recorded entry. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lapClock, queuedSince, shardTimings } from '../../../activities/rollout-timings.ts';
import { rolloutShardTimingsSchema } from '../../../schemas/records/step-metrics.ts';

test('each lap is the time since the previous lap; the total is since the start', () => {
  const times = [100, 130, 130, 175.5, 200];
  const clock = lapClock(() => times.shift()!);
  assert.equal(clock.lap(), 30);
  assert.equal(clock.lap(), 0);
  assert.equal(clock.lap(), 45.5);
  assert.equal(clock.total(), 100);
});

test('dispatch latency is now minus the scheduling time, never negative across clock skew', () => {
  assert.equal(queuedSince(1_000, 1_042), 42);
  assert.equal(queuedSince(1_050, 1_042), 0);
});

test('a shard entry rounds to whole ms and says how the policy was got', () => {
  const downloaded = shardTimings(
    {
      shard: 1,
      queuedMs: 12.4,
      promptsMs: 0.6,
      fetch: { held: false, downloadMs: 30.5, buildMs: 21.49 },
      samplingMs: 240.2,
    },
    1.7
  );
  assert.deepEqual(downloaded, {
    shard: 1,
    queuedMs: 12,
    promptsMs: 1,
    policy: 'downloaded',
    downloadMs: 31,
    buildMs: 21,
    samplingMs: 240,
    writeMs: 2,
  });
  rolloutShardTimingsSchema.parse(downloaded);
  const held = shardTimings(
    { shard: 0, queuedMs: 3, promptsMs: 0, fetch: { held: true, downloadMs: 0, buildMs: 0 }, samplingMs: 10 },
    0
  );
  assert.equal(held.policy, 'held');
  assert.equal(held.downloadMs + held.buildMs, 0);
});
