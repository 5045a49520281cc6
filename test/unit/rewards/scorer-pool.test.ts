import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { WorkerPool } from '../../../rewards/scorer/worker-pool.ts';

const FIXTURE = new URL('./scorer-pool-fixture.ts', import.meta.url);
const pool = new WorkerPool({ module: FIXTURE, size: 2, taskTimeoutMs: 3000 });
after(() => pool.close());

test('runs exported functions in worker threads and returns their values', async () => {
  const r = await pool.run<number>('add', [2, 3]);
  assert.deepEqual({ ok: r.ok, value: r.ok ? r.value : null }, { ok: true, value: 5 });
});

test('a function that never returns is cut at the timeout, its worker replaced, and the pool keeps working', async () => {
  const before = pool.stats();
  const t0 = performance.now();
  const r = await pool.run('spinForever', [], 200);
  const ms = performance.now() - t0;
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.failure, 'timeout');
  assert.ok(ms < 2500, `timed out after ${ms} ms`);
  const next = await pool.run<number>('add', [1, 1]);
  assert.equal(next.ok && next.value, 2);
  const after = pool.stats();
  assert.equal(after.timeouts - before.timeouts, 1);
  assert.ok(after.started > before.started, 'a replacement worker was started');
});

test('a throwing function is an error outcome, not a rejection', async () => {
  const r = await pool.run('fail', ['bad input']);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.failure, 'error');
  assert.match(!r.ok ? r.message : '', /bad input/);
  const missing = await pool.run('noSuchFunction', []);
  assert.match(!missing.ok ? missing.message : '', /no exported function 'noSuchFunction'/);
});

test('work spreads over at most `size` threads', async () => {
  const results = await Promise.all(Array.from({ length: 6 }, () => pool.run<number>('sleepThenThread', [50])));
  const threads = new Set(results.map((r) => (r.ok ? r.value : -1)));
  assert.ok(!threads.has(-1));
  assert.equal(threads.size, 2);
});

test('queueing time does not count against the timeout', async () => {
  // 2 workers, 4 tasks of 150 ms each with a 250 ms timeout: the last two wait ~150 ms in the queue, then run 150 ms.
  const results = await Promise.all(Array.from({ length: 4 }, () => pool.run('sleepThenThread', [150], 250)));
  assert.ok(
    results.every((r) => r.ok),
    JSON.stringify(results)
  );
});

test('a closed pool answers closed', async () => {
  const p = new WorkerPool({ module: FIXTURE, size: 1 });
  await p.close();
  const r = await p.run('add', [1, 2]);
  assert.equal(!r.ok && r.failure, 'closed');
});
