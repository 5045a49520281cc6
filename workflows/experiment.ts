/**
 * The `experiment` workflow: one run of one config. Takes the config itself as its single JSON input, so it can be
 * pasted into the Web UI's "Start Workflow" form, or `{ config, runId }` from the CLI. Invalid input fails the
 * workflow at once, non-retryably, listing every problem. A valid config is planned (stages, step budgets, window
 * per step, batch shapes), the plan is published through the `progress` query, the search attributes and the memo.
 * (The RL step loop — data preparation, stages, checkpoints — is built on this plan by the orchestration layer.)
 */
import {
  ApplicationFailure,
  log,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { parseExperimentConfig } from '../schemas/parse.ts';
import { progressQuery } from './messages.ts';
import type { ExperimentProgress } from './progress.ts';
import { type RunPlan, runPlan, windowAtStep } from './run-plan.ts';
import { SA } from './search-attributes.ts';

/** The CLI's form of the input; a bare config object (from the Web UI) is treated as `{ config }`. */
export interface ExperimentStart {
  /** The experiment config as parsed JSON/YAML (validated here, not trusted). */
  config: unknown;
  /** Stable run id; default: the workflow id. */
  runId?: string;
}

export interface ExperimentResult {
  runId: string;
  status: 'planned';
  summary: string;
  plan: RunPlan;
}

export const INVALID_CONFIG = 'InvalidExperimentConfig';

function isStart(input: unknown): input is ExperimentStart {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'config' in input;
}

export async function experiment(input: unknown): Promise<ExperimentResult> {
  const start: ExperimentStart = isStart(input) ? input : { config: input };
  const runId = start.runId ?? workflowInfo().workflowId;
  const rawName = (start.config as { name?: unknown } | null)?.name;
  const progress: ExperimentProgress = {
    runId,
    experiment: typeof rawName === 'string' ? rawName : null,
    status: 'validating',
    stage: null,
    step: 0,
    totalSteps: 0,
    window: null,
    summary: null,
    lastMetrics: null,
    etaMs: null,
  };
  setHandler(progressQuery, () => progress, { description: 'Stage, step / total, window in force, last metrics, ETA' });
  upsertSearchAttributes([
    { key: SA.run, value: runId },
    { key: SA.status, value: 'validating' },
    ...(progress.experiment ? [{ key: SA.experiment, value: progress.experiment }] : []),
  ]);

  const parsed = parseExperimentConfig(start.config);
  if (!parsed.ok) {
    const problems = parsed.issues.map((i) => `${i.path || '(config)'}: ${i.message}`);
    progress.status = 'failed';
    progress.problems = problems;
    upsertSearchAttributes([{ key: SA.status, value: 'failed' }]);
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    throw ApplicationFailure.nonRetryable(
      `invalid experiment config (${count}); fix these and start again:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      INVALID_CONFIG,
      { problems: parsed.issues }
    );
  }
  const config = parsed.config;
  const plan = runPlan(config);
  const first = plan.stages[0];
  Object.assign(progress, {
    experiment: config.name,
    status: 'planned',
    stage: first ? { index: 0, name: first.name, count: plan.stages.length } : null,
    totalSteps: plan.totalSteps,
    window: windowAtStep(plan, 0),
    summary: plan.summary,
  } satisfies Partial<ExperimentProgress>);
  upsertSearchAttributes([
    { key: SA.experiment, value: config.name },
    { key: SA.status, value: 'planned' },
    { key: SA.step, value: 0 },
    ...(first ? [{ key: SA.stage, value: first.name }] : []),
  ]);
  upsertMemo({
    summary: plan.summary,
    seed: config.seed,
    stages: plan.stages.map((s) => `${s.name}:${s.steps}`).join(' '),
  });
  setCurrentDetails(planDetails(plan));
  log.info('experiment planned', { runId, summary: plan.summary });
  return { runId, status: 'planned', summary: plan.summary, plan };
}

/** Markdown for the Web UI's "current details" panel. */
function planDetails(plan: RunPlan): string {
  const rows = plan.stages.map((s) => {
    const windows = s.windows.map((w) => `${w.maxTokens}`).join(' → ');
    return `| ${s.index + 1} | ${s.name} | ${s.tasks.map((t) => `${t.task}×${t.weight}`).join(', ')} | ${s.startStep}–${s.endStep - 1} | ${windows} |`;
  });
  return [
    `**${plan.summary}**`,
    '',
    `${plan.batch.promptsPerStep} prompts × ${plan.batch.groupSize} responses per step; ${plan.batch.optimizerStepsPerStep} optimiser step(s) per step`,
    '',
    '| # | stage | tasks | steps | window (tokens) |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}
