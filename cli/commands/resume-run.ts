/**
 * `omni-zero resume RUN` for a run that ended without finishing (failed, terminated, timed out, cancelled): starts a
 * new run linked to the old one that continues from the old run's newest valid checkpoint (the `experiment`
 * workflow's `resumeFrom` path). A running run is resumed from a pause by signal instead (steer.ts).
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { parseExperimentConfig } from '../../schemas/parse.ts';
import { planSummary } from '../../schemas/plan.ts';
import { newestValidCheckpoint } from '../../storage/checkpoints.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentStart } from '../../workflows/experiment.ts';
import { SA } from '../../workflows/search-attributes.ts';
import { newRunId } from '../run-id.ts';

/** Workflow statuses a run can be resumed from as a new linked run. */
export const RESUMABLE = ['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED'] as const;

export interface ResumedRun {
  workflowId: string;
  resumedFrom: string;
  fromStatus: string;
  /** Newest checkpoint found by the quick (size) check; the run itself verifies it deeply before using it. */
  checkpointStep: number;
  summary: string;
}

/** Starts the linked run; throws an Error whose message says what to do when the old run cannot be resumed. */
export async function resumeEndedRun(
  client: Client,
  oldId: string,
  opts: { workflowId?: string } = {}
): Promise<ResumedRun> {
  const old = client.workflow.getHandle(oldId);
  const d = await old.describe();
  const status = d.status.name;
  if (!(RESUMABLE as readonly string[]).includes(status))
    throw new Error(
      status === 'COMPLETED'
        ? `run '${oldId}' completed: nothing to resume`
        : `run '${oldId}' is ${status.toLowerCase()}; only failed, terminated, timed-out or cancelled runs are resumed as new runs`
    );
  const history = await old.fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const raw = payload ? defaultPayloadConverter.fromPayload<unknown>(payload as never) : undefined;
  const start: ExperimentStart =
    raw && typeof raw === 'object' && 'config' in raw ? (raw as ExperimentStart) : { config: raw };
  const parsed = parseExperimentConfig(start.config);
  if (!parsed.ok) throw new Error(`run '${oldId}' was started with an invalid config: nothing to resume`);
  const config = parsed.config;
  const oldRunId = start.runId ?? oldId;
  const base = `${config.checkpoint.storage.replace(/\/+$/, '')}/${oldRunId}`;
  const ck = await newestValidCheckpoint(openBlobStore(base), runKeys.checkpointRoot());
  if (!ck)
    throw new Error(
      `run '${oldId}' has no valid checkpoint under ${base}/checkpoints/: nothing to resume from; start the experiment again with 'omni-zero run'`
    );
  const workflowId = opts.workflowId ?? newRunId(config.name);
  const summary = planSummary(config);
  const input: ExperimentStart = { config: start.config, runId: workflowId, resumeFrom: { runId: oldRunId, base } };
  await client.workflow.start('experiment', {
    taskQueue: config.orchestration.taskQueues.workflow,
    workflowId,
    args: [input],
    typedSearchAttributes: [
      { key: SA.experiment, value: config.name },
      { key: SA.run, value: workflowId },
      { key: SA.status, value: 'validating' },
    ],
    memo: { summary, resumedFrom: oldId, resumedFromStep: ck.step },
    staticSummary: `${summary} (resumed from ${oldId} at step ${ck.step})`,
    staticDetails: `Resumed from run \`${oldId}\` (${status.toLowerCase()}) at its checkpoint of step ${ck.step}.`,
  });
  return { workflowId, resumedFrom: oldId, fromStatus: status, checkpointStep: ck.step, summary };
}
