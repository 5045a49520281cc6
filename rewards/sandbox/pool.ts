/**
 * A counting semaphore that spreads sandbox processes over the cores without oversubscribing them: a batch of many
 * programs queues here instead of starting hundreds of Python interpreters at once.
 */
import os from 'node:os';
import { ConcurrencyLimiter } from '../concurrency-limiter.ts';

export class SandboxPool extends ConcurrencyLimiter {
  constructor(size: number = os.availableParallelism()) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`sandbox pool size must be a whole number ≥ 1 (got ${size})`);
    super(size);
  }

  /** How many sandboxed processes may run at the same time. */
  get size(): number {
    return this.max;
  }

  /** Processes running now (for tests and metrics). */
  get running(): number {
    return this.active;
  }
}

let shared: SandboxPool | undefined;

/** The process-wide pool (size = available cores) used when a call passes none. */
export function defaultPool(): SandboxPool {
  shared ??= new SandboxPool();
  return shared;
}
