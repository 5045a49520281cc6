/**
 * How many GPU workers are live: the distinct pollers Temporal reports on the shared GPU queue (DescribeTaskQueue).
 * `orchestration.rollout.shards: auto` splits each step's rollout into that many shards. Temporal lists a poller for
 * a few minutes after its last poll, so a worker that just died may still count: its shard then goes to a live one.
 */
import { Context } from '@temporalio/activity';

export async function gpuWorkers({ taskQueue }: { taskQueue: string }): Promise<number> {
  const { client, info } = Context.current();
  const res = await client.workflowService.describeTaskQueue({
    namespace: info.workflowNamespace,
    taskQueue: { name: taskQueue, kind: 1 }, // TASK_QUEUE_KIND_NORMAL
    taskQueueType: 2, // TASK_QUEUE_TYPE_ACTIVITY
  });
  return new Set((res.pollers ?? []).map((p) => p.identity)).size;
}
