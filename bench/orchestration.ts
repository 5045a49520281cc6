/**
 * `npm run bench -- orchestration`: what Temporal costs per RL step on top of the work itself. Runs the demo's model
 * and batch shapes (examples/demo.yaml: tiny preset, 4 prompts × 8 responses, 64-token window) for a few steps on a
 * real dev server with in-process workers, then reads the stage histories: a step's span runs from its sampleBatch
 * being scheduled to the next step's (or the stage run's end); the activities' own execution is the sum of their
 * started → completed times inside that span (checkpoints and evaluations included, so they never count as
 * overhead). overhead = span − execution, split into schedule-to-start waits (scheduled → started) and the gaps
 * where the workflow decides (an activity completed → the next command). Storage is file:// (blob I/O happens inside
 * activities and does not count either way). OMNI_ZERO_BENCH_STEPS sets steps per stage (default 4, 2 stages).
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type proto from '@temporalio/proto';
import YAML from 'yaml';
import { eventMs, historyChain } from '../test/helpers/history-chain.ts';
import { temporalTestEnv } from '../test/helpers/temporal.ts';
import { startTestWorkers } from '../test/helpers/workers.ts';
import type { ExperimentResult } from '../workflows/experiment.ts';
import { machineInfo } from './machine.ts';

type Event = proto.temporal.api.history.v1.IHistoryEvent;

export interface StepTiming {
  spanMs: number;
  activityMs: number;
  scheduleToStartMs: number;
  overheadMs: number;
}

/** Per-step timings of one stage run's history (see the file comment for the definitions). */
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
  const end = eventMs(events.at(-1) as Event);
  const starts = acts.filter((a) => a.type === 'sampleBatch').map((a) => a.sched);
  return starts.map((from, i) => {
    const to = starts[i + 1] ?? end;
    const inside = acts.filter((a) => a.sched >= from && a.sched < to);
    const activityMs = inside.reduce((s, a) => s + (a.end - a.start), 0);
    return {
      spanMs: to - from,
      activityMs,
      scheduleToStartMs: inside.reduce((s, a) => s + (a.start - a.sched), 0),
      overheadMs: to - from - activityMs,
    };
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : Number.NaN;
};

async function main() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const demo = YAML.parse(await readFile(path.join(here, '..', 'examples', 'demo.yaml'), 'utf8'));
  const stepsPerStage = Number(process.env.OMNI_ZERO_BENCH_STEPS ?? 4);
  const env = await temporalTestEnv();
  const workers = await startTestWorkers(env, ['main', 'gpu', 'cpu', 'io']);
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
        taskQueues: {
          workflow: workers.queues.main,
          gpu: workers.queues.gpu,
          cpu: workers.queues.cpu,
          io: workers.queues.io,
        },
      },
    };
    const id = `bench-orch-${Date.now()}`;
    const t0 = Date.now();
    const result = (await env.client.workflow.execute('experiment', {
      args: [{ config, runId: id }],
      taskQueue: workers.queues.main,
      workflowId: id,
    })) as ExperimentResult;
    const wallMs = Date.now() - t0;
    const steps: StepTiming[] = [];
    const historyBytes: number[] = [];
    for (const s of result.plan.stages) {
      for (const r of await historyChain(env.client, `${id}/stage-${s.index}-${s.name}`)) {
        steps.push(...stepTimings(r.history.events ?? []));
        historyBytes.push(r.bytes);
      }
    }
    // Steps that end in a checkpoint or the stage-end evaluation carry those activities; the plain steps are the
    // steady state. Both are reported.
    const overhead = steps.map((s) => s.overheadMs);
    const span = steps.reduce((a, s) => a + s.spanMs, 0);
    const out = {
      area: 'orchestration',
      machine: machineInfo(),
      model: demo.model.preset,
      batch: `${demo.rollout.promptsPerStep} prompts × ${demo.rollout.groupSize} responses, window ${demo.window.steps[0].maxTokens}`,
      steps: steps.length,
      wallMs,
      overheadMsPerStep: Math.round(mean(overhead)),
      overheadMsPerStepMedian: Math.round(median(overhead)),
      overheadFraction: Number((overhead.reduce((a, b) => a + b, 0) / span).toFixed(4)),
      stepMsMean: Math.round(span / steps.length),
      activityMsPerStep: Math.round(mean(steps.map((s) => s.activityMs))),
      scheduleToStartMsPerStep: Math.round(mean(steps.map((s) => s.scheduleToStartMs))),
      workflowDecisionMsPerStep: Math.round(mean(steps.map((s) => s.overheadMs - s.scheduleToStartMs))),
      stageHistoryBytesMax: Math.max(...historyBytes),
      targets: { overheadMsPerStep: 100, overheadFraction: 0.02 },
      perStep: steps,
    };
    console.log(JSON.stringify(out));
  } finally {
    await workers.stop();
    await env.teardown();
  }
}

if (process.argv[1] && /bench[/\\](run|orchestration)\.ts$/.test(process.argv[1])) await main();
