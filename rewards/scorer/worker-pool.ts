/**
 * A pool of worker threads running the exported functions of one module, with a per-task timeout measured from the
 * moment a worker takes the task (queueing does not count). On timeout the worker is terminated — the only way to stop
 * synchronous code — and replaced; the task's outcome is a timeout, never a hang.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface WorkerPoolOptions {
  /** Module (URL or file URL string) whose exported functions the workers run. Required. */
  module: URL | string;
  /** Worker threads. Default os.availableParallelism(). */
  size?: number;
  /** Per-task timeout from dispatch to a worker, ms. Default 5,000. */
  taskTimeoutMs?: number;
}

export type PoolOutcome<T> =
  | { ok: true; value: T; ms: number }
  | { ok: false; failure: 'timeout' | 'error' | 'closed'; message: string; ms: number };

export interface WorkerPoolStats {
  /** Tasks finished (any outcome). */
  tasks: number;
  /** Tasks that hit the timeout (each cost one worker restart). */
  timeouts: number;
  /** Tasks whose function threw, or whose worker died. */
  errors: number;
  /** Workers started, including replacements. */
  started: number;
}

interface Task {
  fn: string;
  args: unknown[];
  timeoutMs: number;
  resolve: (o: PoolOutcome<unknown>) => void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy: { id: number; task: Task; started: number; timer?: NodeJS.Timeout } | null;
}

const BOOT = new URL('./pool-worker-boot.mjs', import.meta.url);
const ENTRY = new URL(`./pool-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;

export class WorkerPool {
  readonly size: number;
  readonly taskTimeoutMs: number;
  readonly #module: string;
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #nextId = 0;
  #closed = false;
  readonly #stats: WorkerPoolStats = { tasks: 0, timeouts: 0, errors: 0, started: 0 };

  constructor(options: WorkerPoolOptions) {
    this.#module = typeof options.module === 'string' ? options.module : options.module.href;
    this.size = options.size ?? os.availableParallelism();
    this.taskTimeoutMs = options.taskTimeoutMs ?? 5_000;
    if (!Number.isInteger(this.size) || this.size < 1)
      throw new RangeError(`pool size must be an integer ≥ 1, got ${this.size}`);
    if (!(this.taskTimeoutMs > 0)) throw new RangeError(`taskTimeoutMs must be > 0, got ${this.taskTimeoutMs}`);
  }

  stats(): WorkerPoolStats {
    return { ...this.#stats };
  }

  /** Runs `fn(...args)` in a worker. Never rejects: failures are outcomes. */
  run<T>(fn: string, args: unknown[], timeoutMs: number = this.taskTimeoutMs): Promise<PoolOutcome<T>> {
    if (this.#closed) return Promise.resolve({ ok: false, failure: 'closed', message: 'worker pool is closed', ms: 0 });
    return new Promise((resolve) => {
      this.#queue.push({ fn, args, timeoutMs, resolve: resolve as (o: PoolOutcome<unknown>) => void });
      this.#pump();
    });
  }

  /** Terminates every worker; queued tasks end as 'closed'. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#queue.splice(0))
      t.resolve({ ok: false, failure: 'closed', message: 'worker pool closed', ms: 0 });
    await Promise.all(
      this.#slots.splice(0).map((s) => {
        if (s.busy) {
          clearTimeout(s.busy.timer);
          s.busy.task.resolve({ ok: false, failure: 'closed', message: 'worker pool closed', ms: 0 });
        }
        return s.worker.terminate();
      })
    );
  }

  #spawn(): Slot {
    this.#stats.started++;
    const worker = new Worker(BOOT, { workerData: { entry: ENTRY, module: this.#module } });
    worker.unref();
    let markReady: () => void = () => {};
    const slot: Slot = { worker, ready: new Promise<void>((r) => (markReady = r)), busy: null };
    worker.on('message', (msg: { ready?: true; id?: number; ok?: boolean; value?: unknown; message?: string }) => {
      if (msg.ready) {
        markReady();
        return;
      }
      const busy = slot.busy;
      if (!busy || busy.id !== msg.id) return;
      clearTimeout(busy.timer);
      slot.busy = null;
      worker.unref();
      const ms = performance.now() - busy.started;
      this.#stats.tasks++;
      if (msg.ok) busy.task.resolve({ ok: true, value: msg.value, ms });
      else {
        this.#stats.errors++;
        busy.task.resolve({ ok: false, failure: 'error', message: msg.message ?? 'verifier threw', ms });
      }
      this.#pump();
    });
    const onDeath = (why: string) => {
      const i = this.#slots.indexOf(slot);
      if (i < 0) return;
      this.#slots.splice(i, 1);
      markReady();
      if (slot.busy) {
        clearTimeout(slot.busy.timer);
        this.#stats.tasks++;
        this.#stats.errors++;
        slot.busy.task.resolve({
          ok: false,
          failure: 'error',
          message: `verifier worker died: ${why}`,
          ms: performance.now() - slot.busy.started,
        });
        slot.busy = null;
      }
      this.#pump();
    };
    worker.on('error', (err) => onDeath(err.message));
    worker.on('exit', (code) => onDeath(`exit code ${code}`));
    this.#slots.push(slot);
    return slot;
  }

  #pump(): void {
    while (!this.#closed && this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.busy === null);
      if (!slot && this.#slots.length < this.size) slot = this.#spawn();
      if (!slot) return;
      this.#dispatch(slot, this.#queue.shift()!);
    }
  }

  #dispatch(slot: Slot, task: Task): void {
    const id = this.#nextId++;
    // The slot is marked busy at once so #pump does not hand it a second task while the worker boots.
    slot.busy = { id, task, started: performance.now() };
    slot.worker.ref();
    void slot.ready.then(() => {
      if (slot.busy?.id !== id) return;
      slot.busy.started = performance.now();
      slot.busy.timer = setTimeout(() => this.#timeout(slot, id), task.timeoutMs);
      slot.worker.postMessage({ id, fn: task.fn, args: task.args });
    });
  }

  #timeout(slot: Slot, id: number): void {
    const busy = slot.busy;
    if (!busy || busy.id !== id) return;
    slot.busy = null;
    this.#stats.tasks++;
    this.#stats.timeouts++;
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
    slot.worker.removeAllListeners('exit');
    slot.worker.removeAllListeners('error');
    slot.worker.on('error', () => {});
    void slot.worker.terminate();
    busy.task.resolve({
      ok: false,
      failure: 'timeout',
      message: `verifier exceeded ${busy.task.timeoutMs} ms; worker terminated`,
      ms: performance.now() - busy.started,
    });
    this.#pump();
  }
}
