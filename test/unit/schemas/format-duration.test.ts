import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration } from '../../../schemas/format-duration.ts';

test('compact durations: seconds, minutes, hours; ? when unknown', () => {
  assert.equal(formatDuration(12_400), '12s');
  assert.equal(formatDuration(250_000), '4m10s'); // 250 s = 4 × 60 + 10
  assert.equal(formatDuration(11_100_000), '3h05m'); // 11,100 s = 185 min = 3 h 5 min
  assert.equal(formatDuration(null), '?');
  assert.equal(formatDuration(-1), '?');
});

test('spoken durations read as people say them', () => {
  assert.equal(formatDuration(850, 'spoken'), '850 ms');
  assert.equal(formatDuration(59_400, 'spoken'), '59 s');
  assert.equal(formatDuration(192_000, 'spoken'), '3 min 12 s');
  assert.equal(formatDuration(3_720_000, 'spoken'), '1 h 02 min');
});
