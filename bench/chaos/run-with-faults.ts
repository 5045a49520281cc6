/**
 * One run of the drill: start the experiment, strike each planned fault at its seeded moment, wait for the result
 * through whatever outage is under way, and time how long each fault held the run up (from the fault to the end of
 * the step it struck). Faults keep their own moments: one still recovering does not push the next one back (so a
 * late fault does not slip past the run's end), but two stack faults are never injected at once (a second kill of a
 * worker being restarted would have nothing to hit).
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { chaosExperiment } from './config.ts';
import type { FaultKind, PlannedFault } from './plan.ts';
import { type RunProgress, watchProgress } from './progress.ts';
import type { ChaosStack } from './stack.ts';

export interface StruckFault extends PlannedFault {
  /** False when the run ended before the fault's moment came (or, for a judge hang, before a judge request). */
  struck: boolean;
  /** The step under way when the fault struck (the step count: the run's final checkpoint and end). */
  step?: number;
  /** Fault → the struck step's metrics written (or the run's end, for the last), ms. */
  recoverMs?: number;
  /** Judge hangs: requests left unanswered by this hang. */
  hungRequests?: number;
}

export interface FaultedRun {
  runId: string;
  result: ExperimentResult | null;
  /** Why the run did not complete, when it did not. */
  failure?: string;
  faults: StruckFault[];
  wallMs: number;
  /** Each step's duration as seen from outside (its metrics' appearance after the previous step's), ms; step 0's
   *  counts from the run's start, so it includes data preparation. */
  stepMs: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runWithFaults(o: {
  stack: ChaosStack;
  runId: string;
  faults: PlannedFault[];
  /** The undisturbed run's step durations, ms: a fault after step k waits `delayFraction` of step k+1's. */
  referenceStepMs: number[];
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<FaultedRun> {
  const { stack, runId } = o;
  const t0 = Date.now();
  const config = chaosExperiment({
    runId,
    storage: stack.storage,
    queues: stack.queues,
    judgeBaseURL: stack.judge.baseURL,
  });
  await stack.client.workflow.start('experiment', {
    args: [{ config, runId }],
    taskQueue: stack.queues.main,
    workflowId: runId,
  });
  const progress = watchProgress(stack.store(`runs/${runId}`));
  const run: LiveRun = { stack, runId, progress, endedAt: 0, ended: Promise.resolve(), log: o.log };
  const outcome = resultThroughOutages(stack, runId, o.timeoutMs).finally(async () => {
    run.endedAt = Date.now();
    await run.progress.end();
  });
  run.ended = outcome.then(
    () => {},
    () => {}
  );
  const exclusive = serial();
  const faults = Promise.all(
    o.faults.map(async (f) => {
      await run.progress.until(f.afterStep);
      // A loaded machine may finish the step sooner than the delay: strike then, at the start of the next one.
      const target = f.afterStep + 1;
      await Promise.race([sleep(f.delayFraction * (o.referenceStepMs[target] ?? 0)), run.progress.until(target)]);
      return f.kind === 'judge-hang' ? strikeJudge(run, f) : exclusive(() => strikeStack(run, f));
    })
  );

  const settled = await outcome.then(
    (result) => ({ result }),
    async (err: Error) => {
      // A run past its time limit must not go on competing with the next run for the workers.
      await stack.client.workflow
        .getHandle(runId)
        .terminate('chaos drill: run timed out')
        .catch(() => {});
      return { result: null, failure: causes(err) };
    }
  );
  const struck = await faults;
  stack.judge.calm();
  const ends = [t0, ...run.progress.seen.values()];
  const stepMs = ends.slice(1).map((e, i) => e - ends[i]);
  return { runId, ...settled, faults: struck, wallMs: Date.now() - t0, stepMs };
}

interface LiveRun {
  stack: ChaosStack;
  runId: string;
  progress: RunProgress;
  /** When the run ended (0 while it runs), and a promise of it. */
  endedAt: number;
  ended: Promise<void>;
  log: (line: string) => void;
}

/** Kills or an S3 outage: from the fault to the end of the step then under way. */
async function strikeStack(run: LiveRun, f: PlannedFault): Promise<StruckFault> {
  if (run.endedAt) return { ...f, struck: false };
  const step = run.progress.next();
  run.log(`${run.runId}: ${f.kind} in step ${step}${f.outageMs ? ` for ${f.outageMs} ms` : ''}`);
  const at = Date.now();
  await inject(run.stack, f.kind as Exclude<FaultKind, 'judge-hang'>, f.outageMs);
  return { ...f, struck: true, step, recoverMs: (await stepEnd(run, step)) - at };
}

/** An armed judge hangs from its next request on: the fault strikes then, if a request comes before the run ends. */
async function strikeJudge(run: LiveRun, f: PlannedFault): Promise<StruckFault> {
  if (run.endedAt) return { ...f, struck: false };
  const { judge } = run.stack;
  const hungBefore = judge.counts().hung;
  const armedAt = Date.now();
  judge.hang(f.outageMs);
  const began = () => ((judge.lastHangStartedAt() ?? 0) >= armedAt ? judge.lastHangStartedAt() : null);
  while (!run.endedAt && began() === null) await sleep(50);
  const at = began();
  if (at === null) return { ...f, struck: false, hungRequests: 0 };
  const step = run.progress.next();
  run.log(`${run.runId}: judge hangs in step ${step} for ${f.outageMs} ms`);
  const done = await stepEnd(run, step);
  return { ...f, struck: true, step, recoverMs: done - at, hungRequests: judge.counts().hung - hungBefore };
}

/** When `step`'s metrics were seen; the run's end for the step count (the final checkpoint) or a run cut short. */
async function stepEnd(run: LiveRun, step: number): Promise<number> {
  if (await run.progress.until(step)) return run.progress.seen.get(step)!;
  await run.ended;
  return run.endedAt;
}

async function inject(stack: ChaosStack, kind: Exclude<FaultKind, 'judge-hang'>, outageMs: number) {
  switch (kind) {
    case 'kill-main':
      return stack.killWorker('main');
    case 'kill-gpu':
      return stack.killWorker('gpu');
    case 'kill-cpu':
      return stack.killWorker('cpu');
    case 'kill-io':
      return stack.killWorker('io');
    case 'kill-server':
      return stack.killServer();
    case 's3-outage':
      return stack.s3Outage(outageMs);
  }
}

/** Runs the functions given to it one at a time, in the order they were given. */
function serial() {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const next = last.then(fn, fn);
    last = next.catch(() => {});
    return next;
  };
}

/** The run's result, asked again while the server is away (the long poll fails with it); a failed run throws. */
async function resultThroughOutages(stack: ChaosStack, runId: string, timeoutMs: number): Promise<ExperimentResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await stack.client.workflow.getHandle(runId).result()) as ExperimentResult;
    } catch (err) {
      if (err instanceof WorkflowFailedError || Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}

/** An error and its causes on one line (a workflow failure's reason is at the bottom of the chain). */
function causes(err: unknown): string {
  const out: string[] = [];
  for (let e = err as (Error & { cause?: unknown }) | undefined; e; e = e.cause as typeof e) out.push(e.message);
  return out.join(' <- ');
}
