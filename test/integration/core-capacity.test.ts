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
  // Three rounds, so the median survives one round whose lone probe shared its core with another test file.
  const r = await coreCapacity(3, 0.5);
  assert.equal(r.alone.length, 3);
  assert.equal(r.together.length, 3);
  for (const rate of [...r.alone, ...r.together.flat()]) assert.ok(rate > 10, `a probe ran its matmuls: ${rate}/s`);
  // Two processes never get more than two cores' worth, and each gets something.
  assert.ok(r.capacity > 0.3 && r.capacity < 2.6, `capacity ${r.capacity}`);
  const ratios = r.together.map(([x, y], i) => (x + y) / r.alone[i]).sort((a, b) => a - b);
  assert.equal(r.capacity, Number(ratios[1].toFixed(3)));
});
