import assert from 'node:assert/strict';
import { test } from 'node:test';
import type proto from '@temporalio/proto';
import { coveredMs, mergeIntervals, stepTimings } from '../../../bench/orchestration.ts';

type Event = proto.temporal.api.history.v1.IHistoryEvent;

/** A history from (type, scheduled, started, completed) triples in ms, plus the run's last event time. */
function history(acts: [string, number, number, number][], endMs: number): Event[] {
  const events: Record<string, unknown>[] = []; // plain numbers where the proto types say Long
  let id = 1;
  const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
  for (const [type, sched, start, done] of acts) {
    const s = id++;
    events.push({
      eventId: s,
      eventTime: at(sched),
      activityTaskScheduledEventAttributes: { activityType: { name: type } },
    });
    events.push({ eventId: id++, eventTime: at(start), activityTaskStartedEventAttributes: { scheduledEventId: s } });
    events.push({ eventId: id++, eventTime: at(done), activityTaskCompletedEventAttributes: { scheduledEventId: s } });
  }
  events.push({ eventId: id, eventTime: at(endMs) });
  return events as unknown as Event[];
}

test('mergeIntervals and coveredMs count overlapping time once', () => {
  const m = mergeIntervals([
    [10, 20],
    [15, 30],
    [40, 50],
    [5, 5],
  ]);
  assert.deepEqual(m, [
    [10, 30],
    [40, 50],
  ]);
  assert.equal(coveredMs(m, 0, 100), 30);
  assert.equal(coveredMs(m, 25, 45), 10);
});

test('stepTimings: a sequential step', () => {
  // sampleBatch 0→(5)→10→(+20 decide) rollout 30→34→100, score 110→113→200, update 215→219→300; end 320.
  const [s] = stepTimings(
    history(
      [
        ['sampleBatch', 0, 5, 10],
        ['rollout', 30, 34, 100],
        ['score', 110, 113, 200],
        ['update', 215, 219, 300],
      ],
      320
    )
  );
  assert.equal(s.spanMs, 320);
  assert.equal(s.activityMs, 5 + 66 + 87 + 81);
  assert.equal(s.scheduleToStartMs, 5 + 4 + 3 + 4);
  assert.equal(s.overheadMs, 320 - 239);
});

test('stepTimings: a batch prefetched during the update is neither counted twice nor as overhead', () => {
  const [a, b] = stepTimings(
    history(
      [
        ['sampleBatch', 0, 2, 10],
        ['rollout', 20, 22, 100],
        ['score', 110, 112, 200],
        ['update', 210, 212, 300],
        ['sampleBatch', 210, 214, 230], // next step's batch, inside the update
        ['rollout', 310, 313, 400],
        ['score', 410, 412, 500],
        ['update', 510, 512, 600],
      ],
      610
    )
  );
  // Step 1: [0, 310): running 2–10, 22–100, 112–200, 212–300 = 8+78+88+88 = 262; waits not hidden: 0–2, 20–22,
  // 110–112, 210–212 = 8 (214's wait 210–214 overlaps the update from 212).
  assert.deepEqual(a, { plain: true, spanMs: 310, activityMs: 262, scheduleToStartMs: 8, overheadMs: 48 });
  // Step 2: [310, 610): running 313–400, 412–500, 512–600 = 87+88+88 = 263.
  assert.deepEqual(b, { plain: true, spanMs: 300, activityMs: 263, scheduleToStartMs: 3 + 2 + 2, overheadMs: 37 });
});

test('stepTimings: a step that checkpoints or evaluates is not plain (the bench reports plain steps apart)', () => {
  const [a, b] = stepTimings(
    history(
      [
        ['rollout', 0, 1, 100],
        ['score', 0, 2, 110],
        ['update', 120, 121, 200],
        ['checkpoint', 205, 206, 300],
        ['rollout', 310, 311, 400],
        ['score', 310, 312, 410],
        ['update', 420, 421, 500],
      ],
      510
    )
  );
  assert.equal(a.plain, false);
  assert.equal(b.plain, true);
});

test('stepTimings: the shards of a rollout belong to one step', () => {
  const [a, b] = stepTimings(
    history(
      [
        ['rollout', 0, 2, 100], // shard 0
        ['rollout', 0, 5, 90], // shard 1
        ['score', 0, 3, 110],
        ['update', 120, 122, 200],
        ['rollout', 240, 241, 300],
        ['rollout', 240, 242, 310],
        ['score', 240, 243, 320],
        ['update', 330, 331, 400],
      ],
      410
    )
  );
  // Step 1: [0, 240): running 2–110, 122–200 = 108+78 = 186; waits not hidden: 0–2, 120–122 = 4.
  assert.deepEqual(a, { plain: true, spanMs: 240, activityMs: 186, scheduleToStartMs: 4, overheadMs: 54 });
  // Step 2: [240, 410): running 241–320, 331–400 = 79+69 = 148; waits 240–241, 330–331 = 2.
  assert.deepEqual(b, { plain: true, spanMs: 170, activityMs: 148, scheduleToStartMs: 2, overheadMs: 22 });
});
