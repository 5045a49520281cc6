/**
 * A verifier worker: loads the module named in workerData and runs its exported functions on request. CPU-bound
 * verification (the math CAS) runs here so a degenerate input can be stopped by terminating the thread — a timer in
 * the main thread cannot interrupt synchronous code (verl #288, #6673).
 */
import { parentPort, workerData } from 'node:worker_threads';

type Request = { id: number; fn: string; args: unknown[] };

const port = parentPort;
if (!port) throw new Error('pool-worker.ts must run in a worker thread');
const mod = (await import(workerData.module as string)) as Record<string, unknown>;

port.on('message', async (req: Request) => {
  const fn = mod[req.fn];
  try {
    if (typeof fn !== 'function') throw new Error(`verifier module has no exported function '${req.fn}'`);
    const value = await fn(...req.args);
    port.postMessage({ id: req.id, ok: true, value });
  } catch (err) {
    port.postMessage({ id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
});
port.postMessage({ ready: true });
