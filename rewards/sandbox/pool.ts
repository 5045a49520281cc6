/**
 * A counting semaphore that spreads sandbox processes over the cores without oversubscribing them: a batch of many
 * programs queues here instead of starting hundreds of Python interpreters at once.
 */
import os from 'node:os';

export class SandboxPool {
  /** How many sandboxed processes may run at the same time. */
  readonly size: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number = os.availableParallelism()) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`sandbox pool size must be a whole number ≥ 1 (got ${size})`);
    this.size = size;
  }

  /** Processes running now (for tests and metrics). */
  get running(): number {
    return this.active;
  }

  /** Runs `job` when a slot is free; the slot is released however the job ends. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `active` never dips and lets a newcomer jump the queue.
      if (next) next();
      else this.active--;
    }
  }
}

let shared: SandboxPool | undefined;

/** The process-wide pool (size = available cores) used when a call passes none. */
export function defaultPool(): SandboxPool {
  shared ??= new SandboxPool();
  return shared;
}
