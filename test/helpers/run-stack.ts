/**
 * The real stack a run needs in a test file — Temporal (dev server), workers of every role on unique queues, and
 * MinIO when the file started its own — set up before the file's tests and torn down after them.
 */
import { after, before } from 'node:test';
import { stopOwnS3 } from './s3.ts';
import { type TemporalTestEnv, temporalTestEnv } from './temporal.ts';
import { type RunningWorkers, startTestWorkers } from './workers.ts';

export interface RunStack {
  env: TemporalTestEnv;
  workers: RunningWorkers;
}

export function useRunStack(): RunStack {
  const stack = {} as RunStack;
  before(async () => {
    stack.env = await temporalTestEnv();
    stack.workers = await startTestWorkers(stack.env, ['main', 'gpu', 'cpu', 'io']);
  });
  after(async () => {
    await stack.workers?.stop();
    await stack.env?.teardown();
    await stopOwnS3();
  });
  return stack;
}
