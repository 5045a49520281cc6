/**
 * `npm run bench -- orchestration`: what Temporal costs per RL step on top of the work itself. Runs the demo's model
 * and batch shapes (examples/demo.yaml: tiny preset, 4 prompts × 8 responses, 64-token window) for a few steps on a
 * real dev server with in-process workers, then reads the stage histories (see {@link stepTimings} for the span of
 * a step and what counts as overhead). Storage is file:// (blob I/O happens inside
 * activities and does not count either way). OMNI_ZERO_BENCH_STEPS sets steps per stage (default 4, 2 stages).
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type proto from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import YAML from 'yaml';
import { localConnectionOptions, localServerEnv } from '../cli/temporal-connection.ts';
import { DEFAULT_SQLITE_PRAGMAS, freePort, startDevServer } from '../infra/temporal-dev.ts';
import { eventMs, historyChain } from '../test/helpers/history-chain.ts';
import { uniqueTaskQueue } from '../test/helpers/temporal.ts';
import { createWorkers } from '../workers/create-workers.ts';
import { installRuntime } from '../workers/runtime.ts';
import { spawnWorker } from '../workers/worker-process.ts';
import type { ExperimentResult } from '../workflows/experiment.ts';
import { machineInfo } from './machine.ts';

type Event = proto.temporal.api.history.v1.IHistoryEvent;

export interface StepTiming {
  spanMs: number;
  activityMs: number;
  scheduleToStartMs: number;
  overheadMs: number;
  /** No checkpoint or evaluation ran in this step: the steady-state RL step. */
  plain: boolean;
}

type Interval = [number, number];

/** Sorted, non-overlapping cover of the intervals. */
export function mergeIntervals(xs: Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [a, b] of [...xs].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Length of the merged intervals inside [from, to). */
export function coveredMs(merged: Interval[], from: number, to: number): number {
  return merged.reduce((s, [a, b]) => s + Math.max(0, Math.min(b, to) - Math.max(a, from)), 0);
}

/**
 * Per-step timings of one stage run's history. A step runs from its rollout being scheduled to the next step's
 * (the first from the run's first activity, the last to the run's end; see {@link stepStarts}), so a batch sampled for the next step while
 * the update runs belongs to the step it overlaps. Activities' own time is the time covered by at least one running
 * activity (started → completed; checkpoints and evaluations included, so they never count as overhead), counted
 * once even when two overlap; overhead is the rest of the span: moments where no activity runs, split into waiting
 * for a worker to pick one up (scheduled, not started) and the workflow deciding.
 */
export function stepTimings(events: Event[]): StepTiming[] {
  const scheduled = new Map<string, { type: string; at: number }>();
  const started = new Map<string, number>();
  const acts: { type: string; sched: number; start: number; end: number }[] = [];
  for (const e of events) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes)
      scheduled.set(id, { type: e.activityTaskScheduledEventAttributes.activityType?.name ?? '?', at: eventMs(e) });
    const s = e.activityTaskStartedEventAttributes;
    if (s) started.set(String(s.scheduledEventId), eventMs(e));
    const c = e.activityTaskCompletedEventAttributes;
    if (c) {
      const k = String(c.scheduledEventId);
      const sch = scheduled.get(k);
      const st = started.get(k);
      if (sch && st !== undefined) acts.push({ type: sch.type, sched: sch.at, start: st, end: eventMs(e) });
    }
  }
  if (acts.length === 0) return [];
  const end = eventMs(events.at(-1) as Event);
  const running = mergeIntervals(acts.map((a) => [a.start, a.end]));
  const waiting = mergeIntervals(acts.map((a) => [a.sched, a.start]));
  // Waiting that overlaps a running activity is hidden behind it and costs nothing.
  const idleWaiting = (from: number, to: number) =>
    coveredMs(waiting, from, to) -
    waiting.reduce((sum, [a, b]) => sum + coveredMs(running, Math.max(a, from), Math.min(b, to)), 0);
  const starts = stepStarts(acts);
  return starts.map((from, i) => {
    const to = starts[i + 1] ?? end;
    const activityMs = coveredMs(running, from, to);
    const extra = acts.some((a) => a.start >= from && a.start < to && /checkpoint|evaluate/i.test(a.type));
    return {
      plain: !extra,
      spanMs: to - from,
      activityMs,
      scheduleToStartMs: idleWaiting(from, to),
      overheadMs: to - from - activityMs,
    };
  });
}

/**
 * When each step starts: the run's first activity, then each rollout scheduled after an update (the shards of a
 * rollout and the extra draws of dynamic sampling belong to the step they are scheduled in).
 */
function stepStarts(acts: { type: string; sched: number }[]): number[] {
  const starts: number[] = [];
  let updated = false;
  for (const a of [...acts].sort((x, y) => x.sched - y.sched)) {
    if (a.type === 'rollout' && updated) starts.push(a.sched);
    if (a.type === 'rollout') updated = false;
    if (a.type === 'update') updated = true;
  }
  return [Math.min(...acts.map((a) => a.sched)), ...starts];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : Number.NaN;
};

interface Setup {
  name: string;
  /** The GPU worker in its own process (as the demo runs it) instead of beside the others. */
  gpuProcess: boolean;
  sqlitePragmas: string[];
}

/** Sums and counts of the SDK's latency histograms (ms) from the runtime's Prometheus endpoint. */
async function latencyTotals(metricsUrl: string): Promise<Record<string, { sum: number; count: number }>> {
  const text = await (await fetch(metricsUrl)).text();
  const out: Record<string, { sum: number; count: number }> = {};
  for (const line of text.split('\n')) {
    const m = /^temporal_(\w+_latency)_(sum|count)\{[^}]*\} ([\d.e+-]+)$/.exec(line);
    if (!m) continue;
    out[m[1]] ??= { sum: 0, count: 0 };
    out[m[1]][m[2] as 'sum' | 'count'] += Number(m[3]);
  }
  return out;
}

/** Mean of each latency histogram (ms) over what happened between two scrapes (this process's workers only). */
function latencyMeans(before: Awaited<ReturnType<typeof latencyTotals>>, after: typeof before) {
  return Object.fromEntries(
    Object.entries(after).flatMap(([k, a]) => {
      const n = a.count - (before[k]?.count ?? 0);
      return n > 0 ? [[k, { meanMs: Number(((a.sum - (before[k]?.sum ?? 0)) / n).toFixed(2)), count: n }]] : [];
    })
  );
}

let metricsUrl: string | null = null;

/** Runs the demo's first two stages on a fresh dev server with the given setup and measures every step. */
async function measure(demo: Record<string, any>, stepsPerStage: number, setup: Setup) {
  if (!metricsUrl) {
    const port = await freePort();
    installRuntime('WARN', { metricsAddress: `127.0.0.1:${port}` });
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
  }
  const url = metricsUrl;
  // The runtime serves its endpoint from its first connection on; before that there is nothing to subtract.
  const latenciesBefore = await latencyTotals(url).catch(() => ({}));
  const server = await startDevServer({
    dbFile: path.join(await mkdtemp(path.join(os.tmpdir(), 'oz-bench-orch-db-')), 'temporal.sqlite'),
    uiPort: false,
    sqlitePragmas: setup.sqlitePragmas,
  });
  const connection = await Connection.connect(localConnectionOptions(server.address));
  const nativeConnection = await NativeConnection.connect(localConnectionOptions(server.address));
  const client = new Client({ connection });
  const queues = {
    main: uniqueTaskQueue('main'),
    gpu: uniqueTaskQueue('gpu'),
    cpu: uniqueTaskQueue('cpu'),
    io: uniqueTaskQueue('io'),
  };
  const gpu = setup.gpuProcess
    ? await spawnWorker({
        roles: ['gpu'],
        queues,
        address: server.address,
        baseEnv: localServerEnv(),
        env: { OMNI_ZERO_LOG_LEVEL: 'WARN' },
      })
    : null;
  const workers = await createWorkers({
    connection: nativeConnection,
    roles: setup.gpuProcess ? ['main', 'cpu', 'io'] : ['main', 'gpu', 'cpu', 'io'],
    taskQueues: queues,
  });
  const running = workers.map((w) => w.run());
  try {
    const storage = `file://${await mkdtemp(path.join(os.tmpdir(), 'oz-bench-orch-'))}`;
    const tasks = Object.fromEntries(Object.entries(demo.tasks).slice(0, 2)); // code, math: two stages
    const config = {
      ...demo,
      tasks,
      schedule: { kind: 'curriculum', stepsPerStage },
      checkpoint: { ...demo.checkpoint, storage },
      orchestration: {
        ...demo.orchestration,
        taskQueues: { workflow: queues.main, gpu: queues.gpu, cpu: queues.cpu, io: queues.io },
      },
    };
    const id = `bench-orch-${Date.now()}`;
    const t0 = Date.now();
    const result = (await client.workflow.execute('experiment', {
      args: [{ config, runId: id }],
      taskQueue: queues.main,
      workflowId: id,
    })) as ExperimentResult;
    const wallMs = Date.now() - t0;
    const steps: StepTiming[] = [];
    const historyBytes: number[] = [];
    for (const st of result.plan.stages) {
      for (const r of await historyChain(client, `${id}/stage-${st.index}-${st.name}`)) {
        steps.push(...stepTimings(r.history.events ?? []));
        historyBytes.push(r.bytes);
      }
    }
    // Steps that end in a checkpoint or the stage-end evaluation carry those activities; the plain steps are the
    // steady state. Both are counted.
    const overhead = steps.map((x) => x.overheadMs);
    const span = steps.reduce((a, x) => a + x.spanMs, 0);
    const plain = steps.filter((x) => x.plain);
    const plainSpan = plain.reduce((a, x) => a + x.spanMs, 0);
    return {
      setup: setup.name,
      gpuProcess: setup.gpuProcess,
      sqlitePragmas: setup.sqlitePragmas,
      steps: steps.length,
      wallMs,
      overheadMsPerStep: Math.round(mean(overhead)),
      overheadMsPerStepMedian: Math.round(median(overhead)),
      overheadFraction: Number((overhead.reduce((a, b) => a + b, 0) / span).toFixed(4)),
      stepMsMean: Math.round(span / steps.length),
      // Without the steps that checkpoint or evaluate (their long activities make any overhead look small).
      plainSteps: plain.length,
      plainOverheadFraction: Number((plain.reduce((a, x) => a + x.overheadMs, 0) / Math.max(1, plainSpan)).toFixed(4)),
      plainStepMsMean: Math.round(plainSpan / Math.max(1, plain.length)),
      activityMsPerStep: Math.round(mean(steps.map((x) => x.activityMs))),
      scheduleToStartMsPerStep: Math.round(mean(steps.map((x) => x.scheduleToStartMs))),
      workflowDecisionMsPerStep: Math.round(mean(steps.map((x) => x.overheadMs - x.scheduleToStartMs))),
      stageHistoryBytesMax: Math.max(...historyBytes),
      // The SDK's own view of the in-process workers (workflow task execution = the worker's part of a decision).
      sdkLatencies: latencyMeans(latenciesBefore, await latencyTotals(url)),
      perStep: steps,
    };
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled([...running, gpu?.kill('SIGTERM')]);
    await nativeConnection.close();
    await connection.close();
    await server.stop();
  }
}

/**
 * Two setups in one run, each on its own fresh dev server: the baseline is how orchestration ran before the tuning
 * (SQLite's default journal, every worker in one process); the demo's setup is what `npm run demo` runs now (WAL with
 * synchronous=normal, the GPU worker in its own process). Both run the current workflow code. OMNI_ZERO_BENCH_STEPS
 * sets steps per stage (default 4, 2 stages).
 */
async function main() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const demo = YAML.parse(await readFile(path.join(here, '..', 'examples', 'demo.yaml'), 'utf8'));
  const stepsPerStage = Number(process.env.OMNI_ZERO_BENCH_STEPS ?? 4);
  const baseline = await measure(demo, stepsPerStage, { name: 'baseline', gpuProcess: false, sqlitePragmas: [] });
  const current = await measure(demo, stepsPerStage, {
    name: 'demo',
    gpuProcess: true,
    sqlitePragmas: DEFAULT_SQLITE_PRAGMAS,
  });
  const { perStep, ...rest } = current;
  const { perStep: _p, ...base } = baseline;
  console.log(
    JSON.stringify({
      area: 'orchestration',
      machine: machineInfo(),
      model: demo.model.preset,
      batch: `${demo.rollout.promptsPerStep} prompts × ${demo.rollout.groupSize} responses, window ${demo.window.steps[0].maxTokens}`,
      ...rest,
      targets: { overheadMsPerStep: 100, overheadFraction: 0.02 },
      baseline: base,
      overheadRatioVsBaseline: Number((current.overheadMsPerStep / Math.max(1, baseline.overheadMsPerStep)).toFixed(3)),
      stepTimeRatioVsBaseline: Number((current.stepMsMean / Math.max(1, baseline.stepMsMean)).toFixed(3)),
      perStep,
    })
  );
}

// Run, not imported (bench/fanout.ts imports stepTimings): directly, or as `bench/run.ts orchestration`.
const entry = process.argv[1] ?? '';
if (
  /bench[/\\]orchestration\.ts$/.test(entry) ||
  (/bench[/\\]run\.ts$/.test(entry) && process.argv[2] === 'orchestration')
)
  await main();
