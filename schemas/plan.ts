/** The stages of a validated config in the order they run, with their global step ranges. Pure (workflow-safe). */
import type { ExperimentConfig, Stage } from './experiment.ts';

export interface PlannedStage extends Stage {
  /** Position in run order, from 0. */
  index: number;
  /** First global step of the stage (inclusive). */
  startStep: number;
  /** Global step after the stage's last (exclusive): startStep + steps. */
  endStep: number;
}

export interface StagePlan {
  stages: PlannedStage[];
  totalSteps: number;
}

/** Curriculum stages run as listed, or reversed with `order: reverse` (OT's ablation); joint is its one stage. */
export function stagePlan(config: ExperimentConfig): StagePlan {
  const schedule = config.schedule;
  const ordered =
    schedule.kind === 'curriculum' && schedule.order === 'reverse' ? [...schedule.stages].reverse() : schedule.stages;
  let step = 0;
  const stages = ordered.map((stage, index) => {
    const planned = { ...stage, index, startStep: step, endStep: step + stage.steps };
    step += stage.steps;
    return planned;
  });
  return { stages, totalSteps: step };
}

/** One line for people: `demo: curriculum, 4 stages (code 30 → math 30 → qa 30 → writing 30), 120 steps`. */
export function planSummary(config: ExperimentConfig): string {
  const plan = stagePlan(config);
  const arrow = config.schedule.kind === 'curriculum' ? ' → ' : ', ';
  const stages = plan.stages.map((s) => `${s.name} ${s.steps}`).join(arrow);
  const label = `${plan.stages.length} stage${plan.stages.length === 1 ? '' : 's'}`;
  const order = config.schedule.kind === 'curriculum' && config.schedule.order === 'reverse' ? ' (reverse order)' : '';
  return `${config.name}: ${config.schedule.kind}${order}, ${label} (${stages}), ${plan.totalSteps} steps`;
}
