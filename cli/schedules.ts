/**
 * Recurring experiments as Temporal Schedules: the schedule's action starts the `experiment` workflow with the
 * validated config document, exactly as `omni-zero run` would, except that no run id is passed — Temporal appends
 * the action time to the action's workflow id, and the workflow takes its workflow id as the run id, so every
 * scheduled run gets its own run id and its own storage prefix (`<checkpoint.storage>/<workflow id>`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Client,
  type ScheduleDescription,
  type ScheduleExecutionResult,
  type ScheduleOptions,
  ScheduleOverlapPolicy,
  type ScheduleSummary,
} from '@temporalio/client';
import { canonicalJson } from '../schemas/config-hash.ts';
import { durationToMs } from '../schemas/experiment/primitives.ts';
import { planSummary } from '../schemas/plan.ts';
import { sha256Hex } from '../schemas/sha256.ts';
import { SA } from '../workflows/search-attributes.ts';
import type { ExperimentFile } from './experiment-file.ts';
import type { SweepFile } from './sweep-file.ts';

export type OverlapPolicy = Exclude<ScheduleOverlapPolicy, undefined>;

/** The CLI spelling of each overlap policy (`buffer-one` ↔ `BUFFER_ONE`). */
export const OVERLAP_NAMES: Record<string, OverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  'buffer-one': ScheduleOverlapPolicy.BUFFER_ONE,
  'buffer-all': ScheduleOverlapPolicy.BUFFER_ALL,
  'cancel-other': ScheduleOverlapPolicy.CANCEL_OTHER,
  'terminate-other': ScheduleOverlapPolicy.TERMINATE_OTHER,
  'allow-all': ScheduleOverlapPolicy.ALLOW_ALL,
};

/**
 * A run of a multi-day experiment routinely outlives the interval between its scheduled starts (a nightly schedule,
 * a two-day run). SKIP drops the start that would overlap: two runs of one config would fight for the same GPU
 * workers and halve each other's speed, and BUFFER_* would queue runs whose data is stale by the time they start.
 */
export const DEFAULT_OVERLAP: OverlapPolicy = ScheduleOverlapPolicy.SKIP;

/**
 * The server's default catch-up window is not stated consistently (the SDK's TSDoc says one minute, its `@default`
 * says one year), so we always set one. One day: a start missed while the Temporal server was down for a few hours
 * still happens when it comes back; with SKIP, a longer outage starts at most one run, never a burst.
 */
export const DEFAULT_CATCHUP_WINDOW = '1d';

export interface ExperimentScheduleOptions {
  /** Schedule id. Default `<experiment name>-schedule`. Runs get workflow ids `<schedule id>-<action time>`. */
  scheduleId?: string;
  /** A cron expression (`'0 3 * * *'`, `'@daily'`); evaluated in UTC. Exactly one of `cron` and `every`. */
  cron?: string;
  /** A fixed interval between starts: `'10s'`, `'30m'`, `'12h'`, `'7d'`. Exactly one of `cron` and `every`. */
  every?: string;
  /** What to do when a start comes while the previous run is still going. Default SKIP (see DEFAULT_OVERLAP). */
  overlap?: OverlapPolicy;
  /** How late a missed start (server down) may still be taken. Default '1d'. */
  catchupWindow?: string;
  /** Pause the schedule when a run fails (invalid data, retries exhausted). Default false. */
  pauseOnFailure?: boolean;
  /** Create the schedule paused. Default false. */
  paused?: boolean;
  /** Free text kept with the schedule's state (e.g. why it is paused). Default none. */
  note?: string;
  /** The config file the schedule was made from, kept in the schedule's and each run's memo. */
  file: string;
}

/** A user-facing problem with schedule options: the CLI prints its message as the one line saying what to fix. */
export class ScheduleOptionsError extends Error {}

export function parseOverlap(name: string): OverlapPolicy {
  const policy = OVERLAP_NAMES[name.toLowerCase().replace(/_/g, '-')];
  if (policy === undefined)
    throw new ScheduleOptionsError(
      `unknown overlap policy '${name}': use one of ${Object.keys(OVERLAP_NAMES).join(', ')}`
    );
  return policy;
}

function checkDuration(what: string, value: string, minMs: number): number {
  let ms: number;
  try {
    ms = durationToMs(value);
  } catch {
    throw new ScheduleOptionsError(`${what} '${value}' is not a duration: write e.g. '30s', '12h' or '1d'`);
  }
  if (ms < minMs) throw new ScheduleOptionsError(`${what} must be at least ${minMs / 1000}s, got '${value}'`);
  return ms;
}

/** What a schedule's action starts: an experiment or a sweep, with the validated document it passes. */
export interface ScheduledWorkflow {
  workflowType: 'experiment' | 'sweep';
  name: string;
  taskQueue: string;
  args: unknown[];
  summary: string;
  hash: string;
}

export function scheduledExperiment(read: Extract<ExperimentFile, { ok: true }>): ScheduledWorkflow {
  const { config } = read;
  return {
    workflowType: 'experiment',
    name: config.name,
    taskQueue: config.orchestration.taskQueues.workflow,
    // No runId: the workflow then uses its own (time-suffixed) workflow id, so runs never share a storage prefix.
    args: [{ config: read.raw }],
    summary: planSummary(config),
    hash: read.hash,
  };
}

/** A sweep's children take the scheduled workflow's (time-suffixed) id as their prefix, so runs never collide. */
export function scheduledSweep(read: Extract<SweepFile, { ok: true }>): ScheduledWorkflow {
  const { sweep, runs } = read.parsed;
  return {
    workflowType: 'sweep',
    name: sweep.name,
    taskQueue: runs[0].config.orchestration.taskQueues.workflow,
    args: [{ sweep: read.raw }],
    summary: `sweep ${sweep.name}: ${sweep.variants.length} variant(s), ${runs.length} run(s)`,
    hash: sha256Hex(canonicalJson(read.raw)),
  };
}

/** The Temporal schedule that starts `read`'s experiment on the given spec. Pure: testable without a server. */
export function experimentScheduleOptions(
  read: Extract<ExperimentFile, { ok: true }>,
  opts: ExperimentScheduleOptions
): ScheduleOptions {
  return scheduleOptions(scheduledExperiment(read), opts);
}

/** The Temporal schedule that starts `target` on the given spec. Pure: testable without a server. */
export function scheduleOptions(target: ScheduledWorkflow, opts: ExperimentScheduleOptions): ScheduleOptions {
  if ((opts.cron === undefined) === (opts.every === undefined))
    throw new ScheduleOptionsError('give exactly one of --cron EXPR and --every DURATION');
  // The scheduler acts at one-second resolution; anything finer is a typo (ms for s).
  if (opts.every !== undefined) checkDuration('--every', opts.every, 1000);
  const catchupWindow = opts.catchupWindow ?? DEFAULT_CATCHUP_WINDOW;
  // The server silently raises a window under ten seconds to ten: refuse rather than mislead.
  checkDuration('--catchup-window', catchupWindow, 10_000);
  const scheduleId = opts.scheduleId ?? `${target.name}-schedule`;
  const { summary } = target;
  return {
    scheduleId,
    spec:
      opts.every !== undefined
        ? { intervals: [{ every: opts.every as `${number}s` }] }
        : { cronExpressions: [opts.cron as string] },
    action: {
      type: 'startWorkflow',
      workflowType: target.workflowType,
      taskQueue: target.taskQueue,
      // Temporal appends `-<action time>` (e.g. `demo-schedule-2026-11-22T03:00:00Z`): distinct per run.
      workflowId: scheduleId,
      args: target.args,
      typedSearchAttributes: [
        { key: SA.experiment, value: target.name },
        { key: SA.status, value: 'validating' },
      ],
      memo: { summary, configHash: target.hash, file: opts.file, schedule: scheduleId },
      staticSummary: summary,
    },
    policies: {
      overlap: opts.overlap ?? DEFAULT_OVERLAP,
      catchupWindow: catchupWindow as `${number}d`,
      pauseOnFailure: opts.pauseOnFailure ?? false,
    },
    state: { paused: opts.paused ?? false, ...(opts.note !== undefined ? { note: opts.note } : {}) },
    memo: {
      summary,
      configHash: target.hash,
      file: opts.file,
      when: opts.every !== undefined ? `every ${opts.every}` : `cron ${opts.cron}`,
    },
    typedSearchAttributes: [{ key: SA.experiment, value: target.name }],
  };
}

export async function createExperimentSchedule(
  client: Client,
  target: ScheduledWorkflow,
  opts: ExperimentScheduleOptions
) {
  const options = scheduleOptions(target, opts);
  const handle = await client.schedule.create(options);
  return { handle, options };
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

function recent(r: ScheduleExecutionResult) {
  return { workflowId: r.action.workflow.workflowId, scheduledAt: iso(r.scheduledAt), takenAt: iso(r.takenAt) };
}

/** A schedule's description as printable JSON (dates as ISO strings, durations in ms as the server reports them). */
export function describeJson(d: ScheduleDescription) {
  const action = d.action;
  return {
    scheduleId: d.scheduleId,
    paused: d.state.paused,
    note: d.state.note || null,
    // The server turns cron strings into calendar specs; the memo keeps what was asked for.
    when: (d.memo?.when as string | undefined) ?? null,
    spec: {
      intervals: (d.spec.intervals ?? []).map((i) => ({ everyMs: i.every, offsetMs: i.offset ?? 0 })),
      calendars: d.spec.calendars ?? [],
    },
    overlap: d.policies.overlap,
    catchupWindowMs: d.policies.catchupWindow,
    pauseOnFailure: d.policies.pauseOnFailure,
    action: {
      workflowType: action.workflowType,
      taskQueue: action.taskQueue,
      workflowIdPrefix: action.workflowId,
    },
    memo: d.memo ?? {},
    actionsTaken: d.info.numActionsTaken,
    skippedOverlap: d.info.numActionsSkippedOverlap,
    missedCatchupWindow: d.info.numActionsMissedCatchupWindow,
    running: d.info.runningActions.map((a) => a.workflow.workflowId),
    recentActions: d.info.recentActions.map(recent),
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    createdAt: iso(d.info.createdAt),
  };
}

/** One line per schedule of `omni-zero schedule list`. */
export function summaryJson(s: ScheduleSummary) {
  return {
    scheduleId: s.scheduleId,
    workflowType: s.action?.workflowType ?? null,
    experiment: s.typedSearchAttributes?.get(SA.experiment) ?? null,
    paused: s.state.paused,
    note: s.state.note || null,
    recentActions: s.info.recentActions.map(recent),
    nextActionTimes: s.info.nextActionTimes.map((t) => t.toISOString()),
  };
}

export async function listSchedules(client: Client, query?: string) {
  const out: ReturnType<typeof summaryJson>[] = [];
  for await (const s of client.schedule.list(query ? { query } : {})) out.push(summaryJson(s));
  return out;
}

/**
 * Triggers one run now. Unlike the SDK's trigger (ALLOW_ALL), the schedule's own overlap policy applies unless one
 * is given: a manual start of a SKIP schedule while a run is going must not start a second run on the same workers.
 * Returns the workflow id it started, or null when the policy skipped it (after waiting up to `waitMs` to see).
 */
export async function triggerSchedule(
  client: Client,
  scheduleId: string,
  opts: { overlap?: OverlapPolicy; waitMs?: number } = {}
): Promise<{ started: string | null; overlap: OverlapPolicy }> {
  const handle = client.schedule.getHandle(scheduleId);
  const before = await handle.describe();
  const overlap = opts.overlap ?? before.policies.overlap ?? DEFAULT_OVERLAP;
  const seen = new Set(before.info.recentActions.map((r) => r.action.workflow.workflowId));
  const taken = before.info.numActionsTaken;
  await handle.trigger(overlap);
  const deadline = Date.now() + (opts.waitMs ?? 5000);
  for (;;) {
    const now = await handle.describe();
    const fresh = now.info.recentActions.map((r) => r.action.workflow.workflowId).filter((id) => !seen.has(id));
    if (fresh.length > 0) return { started: fresh[fresh.length - 1], overlap };
    if (now.info.numActionsSkippedOverlap > before.info.numActionsSkippedOverlap && now.info.numActionsTaken === taken)
      return { started: null, overlap };
    if (Date.now() > deadline) return { started: null, overlap };
    await sleep(100);
  }
}
