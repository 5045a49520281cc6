/**
 * `sweep`: an ablation as one durable run. Every variant × seed of a sweep config becomes a child `experiment` with a
 * deterministic workflow id, at most `concurrency` at a time; when all have ended, one activity compares the completed
 * ones. A crashed worker or server resumes the sweep where it was: children already started are not started again.
 */
import {
  ApplicationFailure,
  condition,
  defineQuery,
  executeChild,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities/index.ts';
import type { SweepComparison } from '../report/sweep.ts';
import { parseSweep, type SweepRun, sweepRunId } from '../schemas/sweep.ts';
import { activityOptions, orchestrationSettings } from './activity-options.ts';
import type { ExperimentResult } from './experiment.ts';
import type { MergeRunStart, mergeRun } from './merge-run.ts';
import type { PretrainRunStart, pretrainRun } from './pretrain-run.ts';
import type { RftRunStart, rftRun } from './rft-run.ts';

export interface SweepStart {
  /** The sweep config as parsed YAML/JSON, its `experiment` already a config object (validated here). */
  sweep: unknown;
  /** Prefix of the children's run ids; default: this workflow's id. */
  sweepId?: string;
}

export type SweepRunStatus = 'waiting' | 'running' | 'completed' | 'stopped' | 'failed';

export interface SweepRunState {
  variant: string;
  seed: number;
  runId: string;
  status: SweepRunStatus;
  wallMs: number | null;
  error?: string;
}

export interface SweepProgress {
  sweepId: string;
  status: 'running' | 'comparing' | 'completed';
  runs: SweepRunState[];
}

export interface SweepResult extends SweepProgress {
  comparison: SweepComparison;
}

export const sweepProgressQuery = defineQuery<SweepProgress>('progress');
export const INVALID_SWEEP = 'InvalidSweepConfig';

export async function sweep(input: SweepStart): Promise<SweepResult> {
  const parsed = parseSweep(input?.sweep);
  if (!parsed.ok) {
    const problems = parsed.issues.map((i) => `  - ${i.path || '(sweep)'}: ${i.message}`).join('\n');
    throw ApplicationFailure.nonRetryable(
      `invalid sweep config; fix these and start again:\n${problems}`,
      INVALID_SWEEP,
      {
        problems: parsed.issues,
      }
    );
  }
  const sweepId = input.sweepId ?? workflowInfo().workflowId;
  const progress: SweepProgress = {
    sweepId,
    status: 'running',
    runs: parsed.runs.map((r) => ({
      variant: r.variant,
      seed: r.seed,
      runId: sweepRunId(sweepId, r.variant, r.seed),
      status: 'waiting',
      wallMs: null,
    })),
  };
  setHandler(sweepProgressQuery, () => progress);

  let next = 0;
  const lane = async () => {
    while (next < parsed.startOrder.length) await runVariant(parsed.runs, progress.runs, parsed.startOrder[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(parsed.sweep.concurrency, parsed.runs.length) }, lane));

  progress.status = 'comparing';
  const first = parsed.runs[0].config;
  const { compareSweepRuns } = proxyActivities<typeof activities>(
    activityOptions(orchestrationSettings(first), first.orchestration.taskQueues.io, 'checkpoint')
  );
  // A merged model costs its sources' training: its wall time is theirs plus the merge and its evaluation.
  const wallOf = (i: number): number =>
    (progress.runs[i].wallMs ?? 0) + (parsed.runs[i].merge?.sources ?? []).reduce((a, j) => a + wallOf(j), 0);
  const finished = progress.runs.flatMap((state, i) =>
    usable(state) ? [{ ...state, storage: parsed.runs[i].config.checkpoint.storage, wallMs: wallOf(i) }] : []
  );
  if (finished.length === 0) {
    throw ApplicationFailure.nonRetryable(
      `every run of sweep ${sweepId} failed: ${progress.runs.map((r) => `${r.runId}: ${r.error}`).join('; ')}`,
      'SweepFailed'
    );
  }
  const comparison = await compareSweepRuns({ storage: first.checkpoint.storage, sweepId, runs: finished });
  progress.status = 'completed';
  return { ...progress, comparison };
}

/** Run `i` of the sweep as its variant says: a trained experiment, or a merge, RFT or continued-pretraining run. */
function runVariant(runs: SweepRun[], states: SweepRunState[], i: number): Promise<void> {
  const run = runs[i];
  const state = states[i];
  if (run.merge)
    return runMerge(
      run,
      state,
      run.merge.sources.map((j) => sourceOf(runs[j], states[j]))
    );
  if (run.rft) return runRft(run, state);
  if (run.pretrain) return runPretrain(run, state, states[run.pretrain.source]);
  return runChild(run, state);
}

/** One child run; a failed child is recorded with its reason and leaves the other variants running. */
async function runChild(run: SweepRun, state: SweepRunState): Promise<void> {
  await track(state, () =>
    executeChild<(input: unknown) => Promise<ExperimentResult>>('experiment', {
      workflowId: state.runId,
      taskQueue: run.config.orchestration.taskQueues.workflow,
      args: [{ config: run.raw, runId: state.runId }],
    })
  );
}

/** Runs a child, recording its status and wall time in `state`. */
async function track(state: SweepRunState, child: () => Promise<ExperimentResult>): Promise<void> {
  state.status = 'running';
  const started = Date.now();
  try {
    state.status = (await child()).status;
  } catch (err) {
    state.status = 'failed';
    state.error = rootMessage(err);
  }
  state.wallMs = Date.now() - started;
}

const usable = (state: SweepRunState) => state.status === 'completed' || state.status === 'stopped';

interface MergeSourceState {
  state: SweepRunState;
  base: string;
}

function sourceOf(run: SweepRun, state: SweepRunState): MergeSourceState {
  return { state, base: `${run.config.checkpoint.storage.replace(/\/+$/, '')}/${state.runId}` };
}

/** A merge variant's run: once every source run has ended, a child `mergeRun` merges and evaluates them. */
async function runMerge(run: SweepRun, state: SweepRunState, sources: MergeSourceState[]): Promise<void> {
  await condition(() => sources.every((s) => s.state.status !== 'waiting' && s.state.status !== 'running'));
  const failed = sources.filter((s) => !usable(s.state));
  if (failed.length > 0) {
    state.status = 'failed';
    state.error = `nothing to merge: ${failed.map((s) => `${s.state.runId} ${s.state.status}`).join(', ')}`;
    return;
  }
  await track(state, async () => {
    const input: MergeRunStart = {
      config: run.raw,
      runId: state.runId,
      sources: sources.map((s) => ({ runId: s.state.runId, base: s.base })),
      ...(run.merge?.density === undefined ? {} : { density: run.merge.density }),
      ...(run.merge?.lambda === undefined ? {} : { lambda: run.merge.lambda }),
    };
    return executeChild<typeof mergeRun>('mergeRun', {
      workflowId: state.runId,
      taskQueue: run.config.orchestration.taskQueues.workflow,
      args: [input],
    });
  });
}

/** An RFT variant's run: a child `rftRun` of the variant's config (the RL run it is compared with). */
async function runRft(run: SweepRun, state: SweepRunState): Promise<void> {
  const { k, judgedThreshold, learningRate, stepsPerChunk } = run.rft!;
  const input: RftRunStart = {
    config: run.raw,
    runId: state.runId,
    rft: { k, judgedThreshold, stepsPerChunk, ...(learningRate === undefined ? {} : { learningRate }) },
  };
  await track(state, () =>
    executeChild<typeof rftRun>('rftRun', {
      workflowId: state.runId,
      taskQueue: run.config.orchestration.taskQueues.workflow,
      args: [input],
    })
  );
}

/** A continued-pretraining variant's run: once its compared run has ended, a child `pretrainRun` for its wall time. */
async function runPretrain(run: SweepRun, state: SweepRunState, compared: SweepRunState): Promise<void> {
  await condition(() => compared.status !== 'waiting' && compared.status !== 'running');
  if (!usable(compared) || compared.wallMs === null) {
    state.status = 'failed';
    state.error = `no wall time to match: ${compared.runId} ${compared.status}`;
    return;
  }
  const { sameWallTimeAs, batchSize, learningRate, stepsPerChunk } = run.pretrain!;
  const input: PretrainRunStart = {
    config: run.raw,
    runId: state.runId,
    pretrain: {
      sameWallTimeAs,
      wallMs: compared.wallMs,
      batchSize,
      stepsPerChunk,
      ...(learningRate === undefined ? {} : { learningRate }),
    },
  };
  await track(state, () =>
    executeChild<typeof pretrainRun>('pretrainRun', {
      workflowId: state.runId,
      taskQueue: run.config.orchestration.taskQueues.workflow,
      args: [input],
    })
  );
}

function rootMessage(err: unknown): string {
  let e = err as { cause?: unknown; message?: string } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
