/**
 * A timer a caller can cancel: resolves `true` after `ms`, or `false` as soon as `signal` aborts (at once if it
 * already has). It never rejects, so a judge call that is cancelled while it waits ends as a counted failure.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
