/**
 * A replacement GPU worker process that resumes badly, for the crash test's negative controls:
 *
 *   node --import tsx test/helpers/broken-gpu-worker.ts <reload-base|drop-adam> <temporal address> <gpu queue>
 *
 * It polls the run's GPU queue with the real GPU activities, except that the first policy it loads (the snapshot the
 * killed worker left) is broken first (broken-resume.ts). Printing `worker: polling` tells the spawner it is ready, as
 * `omni-zero worker` does. `reset-cursor` is refused: the data cursor lives in the workflow, not in a GPU worker.
 */
import { randomBytes } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { activitiesFor } from '../../activities/index.ts';
import type { RolloutInput, UpdateInput } from '../../activities/types.ts';
import { setOwnGpuQueue } from '../../activities/worker-queue.ts';
import { installRuntime } from '../../workers/runtime.ts';
import { type Breakage, breakSnapshot } from './broken-resume.ts';

const [breakage, address, queue] = process.argv.slice(2) as [Breakage, string, string];
if (!['reload-base', 'drop-adam'].includes(breakage) || !address || !queue) {
  console.error('usage: broken-gpu-worker.ts <reload-base|drop-adam> <temporal address> <gpu queue>');
  process.exit(2);
}

const real = activitiesFor('gpu') as {
  rollout(i: RolloutInput): Promise<unknown>;
  update(i: UpdateInput): Promise<unknown>;
};
let broken: Promise<void> | null = null;
/** Breaks the first snapshot this process is asked to load; later ones are its own updates, held in memory. */
const first = (input: RolloutInput | UpdateInput) => {
  broken ??= breakSnapshot(breakage, input.run, input.policy.key);
  return broken;
};
const activities = {
  ...activitiesFor('gpu'),
  rollout: async (i: RolloutInput) => {
    await first(i);
    return real.rollout(i);
  },
  update: async (i: UpdateInput) => {
    await first(i);
    return real.update(i);
  },
};

installRuntime('WARN');
const connection = await NativeConnection.connect({ address });
const own = `${queue}-broken-${process.pid}-${randomBytes(3).toString('hex')}`;
setOwnGpuQueue(own);
const workers = await Promise.all(
  [queue, own].map((taskQueue) =>
    Worker.create({ connection, taskQueue, activities, maxConcurrentActivityTaskExecutions: 1 })
  )
);
console.error(`worker: polling ${queue}, ${own} on ${address} (broken: ${breakage})`);
await Promise.all(workers.map((w) => w.run()));
