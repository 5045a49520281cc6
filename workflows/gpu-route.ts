/**
 * Where a GPU activity runs. Rollout and update prefer the worker that holds the policy in memory (its own task
 * queue, named by the last rollout or update); when that worker is gone, any GPU worker takes over and reloads the
 * policy from its reference (DESIGN "One RL step, as data").
 */
import { ActivityFailure, type ActivityOptions, log, TimeoutFailure } from '@temporalio/workflow';
import type { RolloutInput, RolloutOutput, UpdateInput, UpdateOutput } from '../activities/types.ts';
import type { OrchestrationSettings } from './activity-options.ts';
import { activity } from './activity-proxy.ts';

type Override = (options: ActivityOptions) => Partial<ActivityOptions>;

export class GpuRoute {
  constructor(
    private readonly o: OrchestrationSettings,
    /** The worker-specific queue holding the policy; unset: the shared GPU queue. */
    private queue?: string
  ) {}

  /** The queue to carry over continue-as-new. */
  get workerQueue(): string | undefined {
    return this.queue;
  }

  /** The worker a rollout or update ran on holds its policy now. */
  heldBy(queue: string): void {
    this.queue = queue;
  }

  rollout(input: RolloutInput): Promise<RolloutOutput> {
    return this.routed((queue, override) => activity(this.o, queue, 'rollout', override)(input));
  }

  update(input: UpdateInput): Promise<UpdateOutput> {
    return this.routed((queue, override) => activity(this.o, queue, 'update', override)(input));
  }

  /** On the worker holding the policy; on any GPU worker when there is none or it is found gone. */
  private async routed<T>(call: (queue: string, override?: Override) => Promise<T>): Promise<T> {
    if (this.queue) {
      // One attempt: a retryable failure there means the worker died, and a retry would wait out the
      // schedule-to-start timeout on a queue nobody polls.
      const sticky: Override = (options) => ({
        scheduleToStartTimeout: this.o.stickyScheduleToStartTimeout,
        retry: { ...options.retry, maximumAttempts: 1 },
      });
      try {
        return await call(this.queue, sticky);
      } catch (err) {
        if (!workerGone(err)) throw err;
        log.warn('the GPU worker holding the policy is gone; falling back to any GPU worker', { queue: this.queue });
        this.queue = undefined;
      }
    }
    return call(this.o.taskQueues.gpu);
  }
}

/** Nobody took the task within the schedule-to-start timeout, or its one attempt failed retryably. */
function workerGone(err: unknown): boolean {
  if (!(err instanceof ActivityFailure)) return false;
  const notPickedUp = err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'SCHEDULE_TO_START';
  return notPickedUp || err.retryState === 'MAXIMUM_ATTEMPTS_REACHED';
}
