/**
 * The run lock (training/run-lock.ts): holders of one run's lock never overlap and enter in the order they came;
 * holders of different runs never wait on each other; a waiter whose signal aborts leaves without running and
 * without letting a later waiter in ahead of the holder.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { runLocked, withRunLock } from '../../../training/run-lock.ts';

/** A promise and the function that resolves it. */
function gate(): { open: () => void; opened: Promise<void> } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

test('holders of one run never overlap, and enter in arrival order', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 6 }), async (pauses) => {
      let inside = 0;
      let most = 0;
      const entered: number[] = [];
      await Promise.all(
        pauses.map((pause, i) =>
          withRunLock('run-a', async () => {
            inside++;
            most = Math.max(most, inside);
            entered.push(i);
            await sleep(pause); // holders await I/O while holding: others must still wait
            inside--;
          })
        )
      );
      assert.equal(most, 1);
      assert.deepEqual(
        entered,
        pauses.map((_, i) => i)
      );
      assert.equal(runLocked('run-a'), false, 'the lock is gone once its last holder left');
    }),
    { numRuns: 30 }
  );
});

test('a holder of another run does not wait', async () => {
  const held = gate();
  let aDone = false;
  const a = withRunLock('run-a', async () => {
    await held.opened;
    aDone = true;
  });
  let bRan = false;
  await withRunLock('run-b', async () => {
    bRan = true;
  });
  assert.equal(bRan, true);
  assert.equal(aDone, false, 'run-b finished while run-a was still held');
  assert.equal(runLocked('run-a'), true);
  held.open();
  await a;
  assert.equal(aDone, true);
});

test('a waiter that is aborted leaves without running, and the next waiter still waits for the holder', async () => {
  const held = gate();
  const order: string[] = [];
  const first = withRunLock('run-c', async () => {
    await held.opened;
    order.push('first');
  });
  const abandoned = new AbortController();
  const second = withRunLock(
    'run-c',
    async () => {
      order.push('second');
    },
    abandoned.signal
  );
  const third = withRunLock('run-c', async () => {
    order.push('third');
  });
  const reason = new Error('attempt abandoned');
  abandoned.abort(reason);
  await assert.rejects(second, (err) => err === reason);
  await sleep(5);
  assert.deepEqual(order, [], 'nobody entered while the first holder still held the lock');
  held.open();
  await Promise.all([first, third]);
  assert.deepEqual(order, ['first', 'third']);
});

test('a work that throws releases the lock', async () => {
  await assert.rejects(
    withRunLock('run-d', async () => {
      throw new Error('update failed');
    }),
    /update failed/
  );
  assert.equal(await withRunLock('run-d', async () => 'next'), 'next');
});

test('an already aborted signal never runs the work', async () => {
  const c = new AbortController();
  c.abort(new Error('cancelled'));
  let ran = false;
  await assert.rejects(
    withRunLock(
      'run-e',
      async () => {
        ran = true;
      },
      c.signal
    ),
    /cancelled/
  );
  assert.equal(ran, false);
});
