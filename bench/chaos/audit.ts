/**
 * What the drill checks after each run, from the records a user could inspect: the stage workflows' histories (each
 * step's `update` completed exactly once over the whole continue-as-new chain), the run's objects in S3 (one metrics
 * object and one `update.done.json` marker per step), every kept checkpoint's files against the sha256 in its
 * manifest, and the final weights' sha256.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { MODEL_FILE } from '../../engine/checkpoint/checkpoint.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { joinKey } from '../../storage/blob-store.ts';
import { checkpointPrefix, listCheckpoints, verifyCheckpoint } from '../../storage/checkpoints.ts';
import { runKeys, stepOfKey } from '../../storage/run-layout.ts';
import { historyChain } from '../../test/helpers/history-chain.ts';
import type { RunPlan } from '../../workflows/run-plan.ts';
import { stageWorkflowId } from '../../workflows/stage-child.ts';

export interface RunAudit {
  /** Steps whose update completed exactly once in the histories and that have one metrics object and a done-marker. */
  stepsExactlyOnce: number;
  /** Per step: completed `update` activities in the histories (1 each when all is well). */
  updatesPerStep: number[];
  /** Steps without `steps/<n>/update.done.json` or without `metrics/step-<n>.json`. */
  missingMarkers: number[];
  checkpoints: { kept: number; verified: number; problems: string[] };
  /** sha256 of the final checkpoint's model.safetensors, or null when it is missing. */
  finalWeightsSha: string | null;
}

export async function auditRun(o: {
  client: Client;
  runId: string;
  plan: RunPlan;
  store: BlobStore;
}): Promise<RunAudit> {
  const updatesPerStep = Array.from({ length: o.plan.totalSteps }, () => 0);
  for (const stage of o.plan.stages) {
    for (const run of await historyChain(o.client, stageWorkflowId(o.runId, stage))) {
      for (const step of completedUpdateSteps(run.history.events ?? [])) updatesPerStep[step]++;
    }
  }
  const metricSteps = new Set((await o.store.list(runKeys.metricsPrefix())).map((b) => stepOfKey(b.key)));
  const missingMarkers: number[] = [];
  for (let s = 0; s < o.plan.totalSteps; s++) {
    if (!metricSteps.has(s) || !(await o.store.head(runKeys.phaseDone(s, 'update')))) missingMarkers.push(s);
  }
  const stepsExactlyOnce = updatesPerStep.filter((n, s) => n === 1 && !missingMarkers.includes(s)).length;
  return {
    stepsExactlyOnce,
    updatesPerStep,
    missingMarkers,
    checkpoints: await verifyKept(o.store),
    finalWeightsSha: await weightsSha(o.store, o.plan.totalSteps),
  };
}

type HistoryEvents = Awaited<ReturnType<typeof historyChain>>[number]['history']['events'] & {};

/** The step of every completed `update` in one history (its input's `step`). */
function completedUpdateSteps(events: HistoryEvents): number[] {
  const updateSteps = new Map<string, number>();
  const out: number[] = [];
  for (const e of events) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s?.activityType?.name === 'update') {
      const input = JSON.parse(Buffer.from(s.input?.payloads?.[0]?.data ?? []).toString('utf8')) as { step: number };
      updateSteps.set(String(e.eventId), input.step);
    }
    const done = e.activityTaskCompletedEventAttributes;
    const step = done ? updateSteps.get(String(done.scheduledEventId)) : undefined;
    if (step !== undefined) out.push(step);
  }
  return out;
}

async function verifyKept(store: BlobStore): Promise<RunAudit['checkpoints']> {
  const kept = await listCheckpoints(store, '');
  const problems: string[] = [];
  let verified = 0;
  for (const k of kept) {
    const v = await verifyCheckpoint(store, k.prefix, { deep: true });
    if (v.ok) verified++;
    else problems.push(`${k.prefix}: ${v.problems.join('; ')}`);
  }
  return { kept: kept.length, verified, problems };
}

async function weightsSha(store: BlobStore, step: number): Promise<string | null> {
  const key = joinKey(checkpointPrefix('', step), MODEL_FILE);
  const bytes = await store.get(key).catch(() => null);
  return bytes && createHash('sha256').update(bytes).digest('hex');
}
