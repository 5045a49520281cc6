/** Functions for the worker-pool tests: a real module loaded into real worker threads (not a test file itself). */
import { threadId } from 'node:worker_threads';

export function add(a: number, b: number): number {
  return a + b;
}

/** Synchronous busy loop: what a pathological CAS simplification looks like to the event loop. */
export function spinForever(): never {
  for (;;) {
    // nothing: only terminating the thread stops this
  }
}

export async function sleepThenThread(ms: number): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return threadId;
}

export function fail(message: string): never {
  throw new Error(message);
}
