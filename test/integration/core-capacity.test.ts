/** The core-capacity probe the fan-out bench reports as its ceiling: real pinned processes on the native backend. */
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { coreCapacity } from '../../bench/core-capacity.ts';
import { tfjsNodeStatus } from '../../infra/tfjs-node/locate.mjs';

const native = tfjsNodeStatus();
const built = native.state === 'built';

test('core capacity: one process alone and two at once on two pinned cores, each rate measured', {
  skip: !built
    ? `native backend not built: ${native.reason ?? native.state}`
    : os.availableParallelism() < 2
      ? 'one core'
      : false,
}, async () => {
  const r = await coreCapacity(1, 0.5);
  assert.equal(r.alone.length, 1);
  assert.equal(r.together.length, 1);
  for (const rate of [...r.alone, ...r.together[0]]) assert.ok(rate > 10, `a probe ran its matmuls: ${rate}/s`);
  // Two processes never get more than two cores' worth, and each gets something.
  assert.ok(r.capacity > 0.3 && r.capacity < 2.6, `capacity ${r.capacity}`);
  assert.equal(r.capacity, Number(((r.together[0][0] + r.together[0][1]) / r.alone[0]).toFixed(3)));
});
