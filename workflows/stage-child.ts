/** Starting one planned stage as a child `stage` workflow of the experiment, and waiting for its result. */
import { executeChild } from '@temporalio/workflow';
import type { DataCursor, PolicyRef, RunRef } from '../activities/types.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import type { OrchestrationSettings } from './activity-options.ts';
import { type PlannedStageSummary, type RunPlan, windowSegments } from './run-plan.ts';
import { SA } from './search-attributes.ts';
import { type StageResult, stage } from './stage.ts';
import type { SteeringState } from './steering.ts';

export interface StageStart {
  config: ExperimentConfig;
  plan: RunPlan;
  run: RunRef;
  orchestration: OrchestrationSettings;
  planned: PlannedStageSummary;
  /** The stage's first global step and its budget in steps. */
  startStep: number;
  steps: number;
  /** Global steps done, the policy and the data cursor the stage continues from. */
  step: number;
  policy: PolicyRef;
  cursor: DataCursor;
  steering: SteeringState;
  /** The experiment's workflow id: the child's id is derived from it, and steps are reported to it. */
  parentId: string;
}

/** `<experiment workflow id>/stage-<index>-<name>`: one per stage, stable across replays. */
export function stageWorkflowId(parentId: string, planned: PlannedStageSummary): string {
  return `${parentId}/stage-${planned.index}-${planned.name}`;
}

export function runStage(s: StageStart): Promise<StageResult> {
  const { config, plan, planned } = s;
  const endStep = s.startStep + s.steps;
  // Windows over the span the stage runs, which an adjusted budget before it may have moved.
  const window = config.schedule.stages.find((x) => x.name === planned.name)?.window;
  const windows = windowSegments(config.window, { window, startStep: s.startStep, endStep });
  return executeChild(stage, {
    workflowId: stageWorkflowId(s.parentId, planned),
    taskQueue: s.orchestration.taskQueues.workflow,
    typedSearchAttributes: [
      { key: SA.experiment, value: config.name },
      { key: SA.run, value: s.run.runId },
      { key: SA.stage, value: planned.name },
      { key: SA.status, value: 'training' },
    ],
    args: [
      {
        run: s.run,
        stage: { index: planned.index, name: planned.name, startStep: s.startStep, endStep, windows },
        step: s.step,
        policy: s.policy,
        cursor: s.cursor,
        learningRate: planned.learningRate,
        checkpointEverySteps: plan.checkpointEverySteps,
        evaluateEverySteps: plan.evaluateEverySteps,
        evaluateAtStageEnd: plan.evaluateAtStageEnd,
        continueAsNewEverySteps: plan.continueAsNewEverySteps,
        reportEverySteps: plan.reportEverySteps,
        orchestration: s.orchestration,
        parentId: s.parentId,
        steering: s.steering,
      },
    ],
  });
}
