/**
 * Synchronous, deadline-bounded access to the CAS worker (cas-worker.ts). mathjs `simplify` cannot be interrupted
 * in-thread and can run for minutes on small adversarial input, so it runs in a worker thread: the caller blocks in
 * `Atomics.wait` until the reply or its deadline, and on the deadline the worker is terminated (a fresh one starts on
 * the next call). The API stays synchronous, so `verifyMath` stays a plain function.
 */
import { createRequire } from 'node:module';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { CAS_WORKER_SOURCE } from './cas-worker.ts';

interface CasState {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
  nextId: number;
  /** The worker has posted its ready message (mathjs loaded). */
  ready: boolean;
}

let state: CasState | null = null;
/** Set when the worker cannot start at all (mathjs not loadable): every later call fails fast instead of waiting. */
let broken: string | null = null;

export type CasOutcome =
  | { status: 'zero'; by: 'simplify' | 'rationalize' }
  | { status: 'not-proved' }
  | { status: 'error'; message: string }
  | { status: 'timeout' };

function spawn(): CasState {
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const mathjsPath = createRequire(import.meta.url).resolve('mathjs');
  const worker = new Worker(CAS_WORKER_SOURCE, {
    eval: true,
    // plain JavaScript: skip the parent's loaders (tsx), which would only slow the start
    execArgv: [],
    workerData: { port: port2, signal, mathjsPath },
    transferList: [port2],
  });
  // Neither the worker nor its port may keep a finished CLI or test process alive.
  worker.unref();
  port1.unref();
  worker.on('error', (err) => {
    if (state?.worker !== worker) return;
    if (!state.ready) broken = `CAS worker failed to start: ${err.message}`;
    state = null;
  });
  return { worker, port: port1, signal, nextId: 1, ready: false };
}

function kill(respawn: boolean): void {
  if (!state) return;
  void state.worker.terminate();
  state.port.close();
  // A replacement starts loading now, in the background, so the next call does not pay the start-up.
  state = respawn ? spawn() : null;
}

function waitReply(s: CasState, timeoutMs: number): any | null {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const message = receiveMessageOnPort(s.port);
    if (message) return message.message;
    const left = deadline - performance.now();
    if (left <= 0) return null;
    Atomics.wait(s.signal, 0, 0, left);
    Atomics.store(s.signal, 0, 0);
  }
}

/** Waits for the worker to be ready, at most `timeoutMs`; start-up is part of a call's budget, never extra. */
function ensureReady(timeoutMs: number): CasState | null {
  if (!state) state = spawn();
  if (state.ready) return state;
  const reply = waitReply(state, timeoutMs);
  if (reply?.ready) state.ready = true;
  else if (reply && reply.ready === false) {
    broken = String(reply.error);
    kill(false);
    return null;
  }
  return state?.ready ? state : null;
}

/**
 * Starts the worker and waits (up to `timeoutMs`, default 30 s) until it has loaded mathjs, so the first
 * verification does not spend its budget on start-up. Returns whether it is ready.
 */
export function warmUpCas(timeoutMs = 30_000): boolean {
  try {
    return ensureReady(timeoutMs) !== null;
  } catch {
    return false;
  }
}

/** Asks the CAS whether `expression` simplifies to 0, waiting at most `timeoutMs` in all. Never throws. */
export function casProvesZero(expression: string, timeoutMs: number, tryRationalize: boolean): CasOutcome {
  try {
    const started = performance.now();
    if (broken) return { status: 'error', message: broken };
    if (timeoutMs <= 0) return { status: 'timeout' };
    const s = ensureReady(timeoutMs);
    if (!s) return broken ? { status: 'error', message: broken } : { status: 'timeout' };
    const id = s.nextId++;
    Atomics.store(s.signal, 0, 0);
    s.port.postMessage({ id, expression, rationalize: tryRationalize });
    const reply = waitReply(s, timeoutMs - (performance.now() - started));
    if (!reply) {
      kill(true);
      return { status: 'timeout' };
    }
    if (reply.id !== id) {
      kill(true);
      return { status: 'error', message: 'CAS reply out of order' };
    }
    if (reply.error) return { status: 'error', message: String(reply.error) };
    return reply.zero ? { status: 'zero', by: reply.by } : { status: 'not-proved' };
  } catch (err) {
    kill(true);
    return { status: 'error', message: err instanceof Error ? err.message : String(err) };
  }
}

/** Stops the worker (tests, clean shutdown). */
export function stopCas(): void {
  kill(false);
}
