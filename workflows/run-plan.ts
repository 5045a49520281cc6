/**
 * The run plan of a validated config: stages in run order with their global step ranges, the response window in
 * force over each range, and the batch shapes of one RL step. Pure and deterministic (runs inside the workflow).
 */
import { windowAt } from '../rl/window.ts';
import type { WindowSchedule, WindowSegment } from '../schemas/experiment/window.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { planSummary, stagePlan } from '../schemas/plan.ts';

export type { WindowSegment };

export interface PlannedStageSummary {
  index: number;
  name: string;
  tasks: { task: string; weight: number }[];
  steps: number;
  /** First global step (inclusive) and the step after the last (exclusive). */
  startStep: number;
  endStep: number;
  windows: WindowSegment[];
  /** The stage's learning rate: its own `learningRate`, else grpo.learningRate. */
  learningRate: number;
}

export interface BatchShape {
  promptsPerStep: number;
  groupSize: number;
  /** promptsPerStep × groupSize: responses sampled and scored per step. */
  responsesPerStep: number;
  /** Prompts per optimiser step (GZ: 128 of 128, so one optimiser step per RL step, exactly on-policy). */
  miniBatchPrompts: number;
  /** Mini-batches × epochs. */
  optimizerStepsPerStep: number;
  /** Micro-batches one optimiser step's gradient is accumulated over, and responses in each. */
  microBatches: number;
  responsesPerMicroBatch: number;
}

export interface RunPlan {
  experiment: string;
  summary: string;
  totalSteps: number;
  stages: PlannedStageSummary[];
  batch: BatchShape;
  checkpointEverySteps: number;
  evaluateEverySteps: number;
  /** Evaluate every domain at each stage end (evaluation.atStageEnd). */
  evaluateAtStageEnd: boolean;
  continueAsNewEverySteps: number;
  /** The stage reports a step to the experiment every this many steps (1 unless the plan is very long). */
  reportEverySteps: number;
}

/**
 * Window segments over [startStep, endStep). A stage with its own window counts steps from its own start; otherwise
 * the run-wide window counts global steps (schemas/experiment/window.ts).
 */
export function windowSegments(
  run: WindowSchedule,
  stage: { window?: WindowSchedule; startStep: number; endStep: number }
): WindowSegment[] {
  const schedule = stage.window ?? run;
  const offset = stage.window ? stage.startStep : 0;
  const out: WindowSegment[] = [];
  for (let step = stage.startStep; step < stage.endStep; step++) {
    const maxTokens = windowAt(schedule, step - offset);
    const last = out.at(-1);
    if (last && last.maxTokens === maxTokens) last.toStep = step + 1;
    else out.push({ fromStep: step, toStep: step + 1, maxTokens });
  }
  return out;
}

export function windowAtStep(plan: RunPlan, step: number): number | null {
  for (const stage of plan.stages)
    for (const seg of stage.windows) if (step >= seg.fromStep && step < seg.toStep) return seg.maxTokens;
  return null;
}

/** grpo.learningRate, filled from the model preset by the schema when not given. */
export function runLearningRate(config: ExperimentConfig): number {
  const lr = config.grpo.learningRate;
  if (lr === undefined)
    throw new Error('grpo.learningRate is unset: the config was not parsed by parseExperimentConfig');
  return lr;
}

export function runPlan(config: ExperimentConfig): RunPlan {
  const plan = stagePlan(config);
  const prompts = config.rollout.promptsPerStep;
  const g = config.rollout.groupSize;
  const mini = config.grpo.miniBatchSize;
  const micro = config.grpo.gradientAccumulation;
  return {
    experiment: config.name,
    summary: planSummary(config),
    totalSteps: plan.totalSteps,
    stages: plan.stages.map((s) => ({
      index: s.index,
      name: s.name,
      tasks: s.tasks.map((t) => ({ task: t.task, weight: t.weight })),
      steps: s.steps,
      startStep: s.startStep,
      endStep: s.endStep,
      windows: windowSegments(config.window, s),
      learningRate: config.schedule.stages.find((x) => x.name === s.name)?.learningRate ?? runLearningRate(config),
    })),
    batch: {
      promptsPerStep: prompts,
      groupSize: g,
      responsesPerStep: prompts * g,
      miniBatchPrompts: mini,
      optimizerStepsPerStep: (prompts / mini) * config.grpo.epochs,
      microBatches: micro,
      responsesPerMicroBatch: (mini * g) / micro,
    },
    checkpointEverySteps: config.checkpoint.everySteps,
    evaluateEverySteps: config.evaluation.everySteps,
    evaluateAtStageEnd: config.evaluation.atStageEnd,
    continueAsNewEverySteps: config.orchestration.continueAsNewEverySteps,
    reportEverySteps: Math.max(1, Math.ceil(plan.totalSteps / config.orchestration.maxStepReports)),
  };
}
