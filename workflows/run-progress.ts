/**
 * What a run shows while it goes: the `progress` query's answer, the search attributes the Web UI and `omni-zero
 * list` filter on, the memo and the "current details" panel. Fed by the experiment and by its stages' step reports.
 */
import { log, setCurrentDetails, setHandler, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { RunRef, StepSummary } from '../activities/types.ts';
import { progressQuery, stepCompletedSignal } from './messages.ts';
import type { ExperimentProgress, RunStatus } from './progress.ts';
import { type RunPlan, windowAtStep } from './run-plan.ts';
import { SA } from './search-attributes.ts';

export class RunProgress {
  readonly state: ExperimentProgress;
  private readonly started = Date.now();
  /** The step this run started training at (a resumed run: its checkpoint's), for the ETA. */
  private startStep = 0;

  constructor(runId: string, experiment: string | null) {
    this.state = {
      runId,
      experiment,
      status: 'validating',
      stage: null,
      step: 0,
      totalSteps: 0,
      window: null,
      summary: null,
      lastMetrics: null,
      etaMs: null,
    };
    setHandler(progressQuery, () => this.state, {
      description: 'Stage, step / total, window in force, last metrics, ETA',
    });
    setHandler(stepCompletedSignal, (summary) => this.stepCompleted(summary));
    upsertSearchAttributes([
      { key: SA.run, value: runId },
      { key: SA.status, value: 'validating' },
      ...(experiment ? [{ key: SA.experiment, value: experiment }] : []),
    ]);
  }

  setStatus(status: RunStatus): void {
    this.state.status = status;
    upsertSearchAttributes([{ key: SA.status, value: status }]);
  }

  invalid(problems: string[]): void {
    this.state.problems = problems;
    this.setStatus('failed');
  }

  planned(plan: RunPlan, run: RunRef, seed: number): void {
    const first = plan.stages[0];
    Object.assign(this.state, {
      experiment: plan.experiment,
      stage: first ? { index: 0, name: first.name, count: plan.stages.length } : null,
      totalSteps: plan.totalSteps,
      window: windowAtStep(plan, 0),
      summary: plan.summary,
    } satisfies Partial<ExperimentProgress>);
    this.setStatus('planned');
    upsertSearchAttributes([
      { key: SA.experiment, value: plan.experiment },
      { key: SA.step, value: 0 },
      ...(first ? [{ key: SA.stage, value: first.name }] : []),
    ]);
    upsertMemo({
      summary: plan.summary,
      seed,
      base: run.base,
      stages: plan.stages.map((s) => `${s.name}:${s.steps}`).join(' '),
    });
    setCurrentDetails(planDetails(plan, run));
    log.info('experiment planned', { runId: run.runId, summary: plan.summary });
  }

  /** A resumed run: `totalSteps` as the old run was running its plan (budgets it adjusted included). */
  resumed(
    plan: RunPlan,
    run: RunRef,
    totalSteps: number,
    from: { runId: string; step: number; checkpoint: string }
  ): void {
    this.state.totalSteps = totalSteps;
    this.state.step = from.step;
    this.startStep = from.step;
    upsertMemo({ resumedFrom: from.runId, resumedAtStep: from.step, resumedCheckpoint: from.checkpoint });
    upsertSearchAttributes([{ key: SA.step, value: from.step }]);
    setCurrentDetails(
      `Resumed from run \`${from.runId}\` at step ${from.step} (checkpoint \`${from.checkpoint}\`)\n\n${planDetails(plan, run)}`
    );
  }

  stageStarted(index: number, name: string, count: number, paused: boolean): void {
    this.state.stage = { index, name, count };
    upsertSearchAttributes([{ key: SA.stage, value: name }]);
    this.setStatus(paused ? 'paused' : 'training');
  }

  private stepCompleted(summary: StepSummary): void {
    const p = this.state;
    p.step = summary.step + 1;
    p.window = summary.window;
    p.lastMetrics = {
      ...(summary.rewardMean !== null ? { reward: summary.rewardMean } : {}),
      loss: summary.loss,
      ...(summary.trackingFailures === undefined ? {} : { trackingFailures: summary.trackingFailures }),
      ...Object.fromEntries(
        Object.entries(summary.perTask).flatMap(([t, v]) => (v === null ? [] : [[`reward/${t}`, v]]))
      ),
    };
    upsertSearchAttributes([
      { key: SA.step, value: p.step },
      ...(summary.rewardMean !== null ? [{ key: SA.reward, value: summary.rewardMean }] : []),
    ]);
    const done = p.step - this.startStep;
    p.etaMs = done > 0 ? Math.round(((Date.now() - this.started) / done) * (p.totalSteps - p.step)) : null;
  }
}

/** Markdown for the Web UI's "current details" panel. */
function planDetails(plan: RunPlan, run: RunRef): string {
  const rows = plan.stages.map((s) => {
    const windows = s.windows.map((w) => `${w.maxTokens}`).join(' → ');
    return `| ${s.index + 1} | ${s.name} | ${s.tasks.map((t) => `${t.task}×${t.weight}`).join(', ')} | ${s.startStep}–${s.endStep - 1} | ${windows} |`;
  });
  return [
    `**${plan.summary}**`,
    '',
    `${plan.batch.promptsPerStep} prompts × ${plan.batch.groupSize} responses per step; ${plan.batch.optimizerStepsPerStep} optimiser step(s) per step`,
    '',
    `Checkpoints, metrics and evaluations: \`${run.base}\``,
    '',
    '| # | stage | tasks | steps | window (tokens) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
