/**
 * A replacement GPU worker process that resumes badly, for the crash test's negative controls:
 *
 *   node --import tsx test/helpers/broken-gpu-worker.ts <reload-base|drop-adam> <temporal address> <gpu queue>
 *
 * It polls the run's GPU queue with the real GPU activities, except that a policy snapshot the killed worker left is
 * broken (broken-resume.ts) before this process can load it. Printing `worker: polling` tells the spawner it is ready, as
 * `omni-zero worker` does. `reset-cursor` is refused: the data cursor lives in the workflow, not in a GPU worker.
 */
import { randomBytes } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activitiesFor } from '../../activities/index.ts';
import { storeOf } from '../../activities/run-context.ts';
import type { PolicyRef, RunRef } from '../../activities/types.ts';
import { setOwnGpuQueue } from '../../activities/worker-queue.ts';
import { localConnectionOptions } from '../../cli/temporal-connection.ts';
import { readManifest } from '../../storage/checkpoints.ts';
import { installRuntime } from '../../workers/runtime.ts';
import { type Breakage, breakSnapshot } from './broken-resume.ts';

const [breakage, address, queue] = process.argv.slice(2) as [Breakage, string, string];
if (!['reload-base', 'drop-adam'].includes(breakage) || !address || !queue) {
  console.error('usage: broken-gpu-worker.ts <reload-base|drop-adam> <temporal address> <gpu queue>');
  process.exit(2);
}

const started = Date.now();
/** Snapshot (run base # key) → its broken manifest's sha256, for each snapshot this process broke. */
const brokenHash = new Map<string, string | undefined>();
/**
 * Breaks every snapshot this process is handed that it did not write: those the killed worker left (a snapshot's
 * manifest is older than this process; a broken one is rewritten, so it is broken once). Every activity that reads a
 * policy is wrapped, whichever comes first after the kill (a retried rollout or update, a stage-end evaluation).
 */
function breakingInherited<I extends { run: RunRef; policy: PolicyRef }>(fn: (input: I) => Promise<unknown>) {
  return async (input: I) => {
    const snapshot = `${input.run.base}#${input.policy.key}`;
    if (!brokenHash.has(snapshot)) {
      const m = await readManifest(storeOf(input.run), input.policy.key);
      if (m && Date.parse(m.createdAt) < started)
        brokenHash.set(snapshot, await breakSnapshot(breakage, input.run, input.policy.key));
    }
    // The bug is this worker's: it takes the broken snapshot for the one named, hash included.
    const sha256 = brokenHash.get(snapshot);
    return fn(sha256 ? { ...input, policy: { ...input.policy, sha256 } } : input);
  };
}
const gpu = activitiesFor('gpu');
const activities = Object.fromEntries(
  Object.entries(gpu).map(([name, fn]) => [name, name === 'initPolicy' ? fn : breakingInherited(fn)])
);

installRuntime('WARN');
const connection = await NativeConnection.connect(localConnectionOptions(address));
const own = `${queue}-broken-${process.pid}-${randomBytes(3).toString('hex')}`;
setOwnGpuQueue(own);
const workers = await Promise.all(
  [queue, own].map((taskQueue) =>
    Worker.create({ connection, taskQueue, activities, maxConcurrentActivityTaskExecutions: 1 })
  )
);
console.error(`worker: polling ${queue}, ${own} on ${address} (broken: ${breakage})`);
await Promise.all(workers.map((w) => w.run()));
