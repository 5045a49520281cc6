/**
 * Shared steps of the crash tests: a tiny experiment with a short heartbeat timeout, waiting for a pending
 * activity of a stage, and the checks every survived run must pass (one metrics object per step, each step's
 * update completed once in the Temporal history, every kept checkpoint verifies deeply).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { BlobStore } from '../../storage/blob-store.ts';
import { joinKey } from '../../storage/blob-store.ts';
import { listCheckpoints, readManifest, verifyCheckpoint } from '../../storage/checkpoints.ts';
import { runKeys, stepOfKey } from '../../storage/run-layout.ts';
import type { WorkerRole } from '../../workers/task-queues.ts';
import { uniqueTaskQueue } from './temporal.ts';
import { tinyExperiment } from './tiny-config.ts';

export function uniqueQueues(tag: string): Record<WorkerRole, string> {
  return {
    main: uniqueTaskQueue(`${tag}-main`),
    gpu: uniqueTaskQueue(`${tag}-gpu`),
    cpu: uniqueTaskQueue(`${tag}-cpu`),
    io: uniqueTaskQueue(`${tag}-io`),
  };
}

/** 2 stages × 3 steps of the micro model with a short heartbeat timeout, so a dead worker is noticed in seconds. */
export function crashExperiment(o: {
  name: string;
  storage: string;
  queues: Record<WorkerRole, string>;
  heartbeat?: string;
}): Record<string, unknown> {
  return tinyExperiment({
    name: o.name,
    storage: o.storage,
    workers: { queues: o.queues, stop: async () => {} },
    heartbeat: o.heartbeat ?? '5s',
  });
}

export interface Pending {
  workflowId: string;
  activityType: string;
  attempt: number;
  state: string;
  /** The last heartbeat's details (JSON-decoded), if any. */
  heartbeat: unknown;
}

/** The activities pending in the run's stage workflows now (their describe()). */
export async function pendingActivities(client: Client, runId: string): Promise<Pending[]> {
  const out: Pending[] = [];
  for (const id of [`${runId}/stage-0-code`, `${runId}/stage-1-math`]) {
    try {
      const d = await client.workflow.getHandle(id).describe();
      for (const a of d.raw.pendingActivities ?? []) {
        out.push({
          workflowId: id,
          activityType: a.activityType?.name ?? '',
          attempt: a.attempt ?? 0,
          state: String(a.state),
          heartbeat: decodeFirst(a.heartbeatDetails?.payloads?.[0]?.data),
        });
      }
    } catch {
      // not started yet
    }
  }
  return out;
}

function decodeFirst(data: Uint8Array | null | undefined): unknown {
  if (!data) return undefined;
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Polls until `pred` holds, every 100 ms, at most `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until a `rollout` or `update` of the run (the activities that hold the policy) has been picked up. */
export function gpuWorkStarted(client: Client, runId: string, timeoutMs = 90_000): Promise<Pending> {
  return waitUntil(
    'a started rollout or update',
    async () =>
      (await pendingActivities(client, runId)).find(
        (a) => (a.activityType === 'rollout' || a.activityType === 'update') && /STARTED|2/.test(a.state)
      ),
    timeoutMs
  );
}

/** Outcomes of one activity type over every execution (continue-as-new included) of the run's stage workflows. */
export async function activityOutcomes(
  client: Client,
  runId: string,
  type: string
): Promise<{ completed: number; timedOut: number; retriedStarts: number }> {
  const o = { completed: 0, timedOut: 0, retriedStarts: 0 };
  for await (const wf of client.workflow.list({ query: `WorkflowId STARTS_WITH "${runId}/stage-"` })) {
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const scheduled = new Map<string, string>();
    for (const e of history.events ?? []) {
      const s = e.activityTaskScheduledEventAttributes;
      if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '');
      const ofType = (id: unknown) => scheduled.get(String(id)) === type;
      if (e.activityTaskCompletedEventAttributes && ofType(e.activityTaskCompletedEventAttributes.scheduledEventId))
        o.completed++;
      if (e.activityTaskTimedOutEventAttributes && ofType(e.activityTaskTimedOutEventAttributes.scheduledEventId))
        o.timedOut++;
      const st = e.activityTaskStartedEventAttributes;
      if (st && ofType(st.scheduledEventId) && (st.attempt ?? 1) > 1) o.retriedStarts++;
    }
  }
  return o;
}

export async function completedActivities(client: Client, runId: string, type: string): Promise<number> {
  return (await activityOutcomes(client, runId, type)).completed;
}

/** What every survived run must show: metrics for steps 0..n-1 exactly, one update each, deep-verified checkpoints. */
export async function assertRunIntact(client: Client, runId: string, store: BlobStore, steps: number) {
  const metricSteps = (await store.list(runKeys.metricsPrefix())).map((b) => stepOfKey(b.key));
  assert.deepEqual(
    metricSteps,
    Array.from({ length: steps }, (_, i) => i),
    'one metrics object per step index'
  );
  const updates = await waitUntil(
    'visibility of both stages',
    async () => {
      const n = await completedActivities(client, runId, 'update');
      return n >= steps ? n : null;
    },
    15_000
  ).catch(async () => completedActivities(client, runId, 'update'));
  assert.equal(updates, steps, "each step's update completed exactly once in the Temporal history");
  const kept = await listCheckpoints(store, '');
  assert.equal(kept.at(-1)?.step, steps, `checkpoints kept: ${kept.map((k) => k.step)}`);
  for (const k of kept) {
    const v = await verifyCheckpoint(store, k.prefix, { deep: true });
    assert.equal(v.ok, true, `${k.prefix}: ${v.problems.join('; ')}`);
  }
}

/** sha256 of the final checkpoint's weights, from the bytes in the store. */
export async function finalWeightsSha(store: BlobStore, step: number): Promise<string> {
  const kept = await listCheckpoints(store, '');
  const last = kept.find((k) => k.step === step);
  assert.ok(last, `no checkpoint at step ${step}`);
  const manifest = await readManifest(store, last.prefix);
  const f = manifest?.files.find((x) => x.path === 'model.safetensors');
  assert.ok(f, `checkpoint ${last.prefix} has no model.safetensors`);
  const bytes = await store.get(joinKey(last.prefix, 'model.safetensors'));
  return createHash('sha256').update(bytes).digest('hex');
}
