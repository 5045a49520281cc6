/** Starting an `experiment` workflow from a validated config file: shared by `omni-zero run` and the demo. */
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { planSummary } from '../schemas/plan.ts';
import { SA } from '../workflows/search-attributes.ts';
import type { ExperimentFile } from './experiment-file.ts';
import { newRunId } from './run-id.ts';
import { uiLink } from './temporal-client.ts';

export interface StartedExperiment {
  workflowId: string;
  taskQueue: string;
  ui: string;
  summary: string;
  handle: WorkflowHandleWithFirstExecutionRunId;
}

export async function startExperiment(
  client: Client,
  read: Extract<ExperimentFile, { ok: true }>,
  opts: { file: string; workflowId?: string; uiBase?: string }
): Promise<StartedExperiment> {
  const { config } = read;
  const workflowId = opts.workflowId ?? newRunId(config.name);
  const taskQueue = config.orchestration.taskQueues.workflow;
  const summary = planSummary(config);
  const handle = await client.workflow.start('experiment', {
    taskQueue,
    workflowId,
    args: [{ config: read.raw, runId: workflowId }],
    typedSearchAttributes: [
      { key: SA.experiment, value: config.name },
      { key: SA.run, value: workflowId },
      { key: SA.status, value: 'validating' },
    ],
    memo: { summary, configHash: read.hash, file: opts.file },
    staticSummary: summary,
  });
  const uiBase = opts.uiBase ?? process.env.OMNI_ZERO_TEMPORAL_UI ?? 'http://127.0.0.1:8233';
  return { workflowId, taskQueue, summary, handle, ui: uiLink(uiBase, workflowId, client.options.namespace) };
}

/** A run started with no worker polling its queue just waits; say so instead of leaving people guessing. */
export async function hasWorker(client: Client, namespace: string, taskQueue: string): Promise<boolean | null> {
  try {
    const res = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
    });
    return (res.pollers ?? []).length > 0;
  } catch {
    return null;
  }
}
