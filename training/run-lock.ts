/**
 * One holder at a time per run within this process. Training mutates the one Policy object this worker holds for a
 * run (policy-store.ts), and Temporal starts a new attempt of an update whose heartbeat timed out while the old
 * attempt may still be running here: the new attempt must wait until the old one has finished or given up, then find
 * the step done (its done marker) or the held version moved on, rather than train weights another attempt is
 * mutating. Runs do not wait on each other.
 */

const tails = new Map<string, Promise<void>>();

/**
 * Runs `work` once every earlier holder of `run`'s lock has released it. Waiting ends early, without running `work`,
 * when `signal` aborts (an abandoned attempt must not queue up to train); it throws the signal's reason.
 */
export async function withRunLock<T>(run: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const earlier = tails.get(run) ?? Promise.resolve();
  let release = () => {};
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  // The next holder waits for the earlier ones too, so giving up while waiting never lets it in ahead of them.
  const tail = earlier.then(() => mine);
  tails.set(run, tail);
  try {
    await untilAborted(earlier, signal);
    return await work();
  } finally {
    release();
    if (tails.get(run) === tail) tails.delete(run);
  }
}

/** Whether some holder has, or waits for, `run`'s lock in this process. */
export function runLocked(run: string): boolean {
  return tails.has(run);
}

/** `p` (which never rejects), or the abort of `signal` if that comes first. */
function untilAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
