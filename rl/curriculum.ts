/**
 * Curriculum position (OT §3.2, SPEC §6): stages run in sequence, each for its step budget; joint training is a
 * curriculum of one stage. Stages with a stop criterion instead of a budget are decided by the workflow, not here.
 */
import { RlInputError, requireNonNegativeInteger } from './errors.ts';

/** OT's order, least to most forgettable (OT §5.1.1); reversing it is OT's ablation. */
export const OT_CURRICULUM_ORDER = Object.freeze(['code', 'math', 'qa', 'writing'] as const);

export interface StageBudget {
  /** Number of RL steps this stage runs (whole number > 0). */
  steps: number;
}

export interface StagePosition<S extends StageBudget> {
  /** 0-based position of the stage in the curriculum. */
  index: number;
  stage: S;
  /** Global step at which this stage starts. */
  startStep: number;
  /** `globalStep − startStep`: the step to give the stage's own window schedule. */
  stepInStage: number;
}

/** The stage in force at `globalStep` (0-based), or `null` once every stage's budget is spent. */
export function stageAt<S extends StageBudget>(stages: readonly S[], globalStep: number): StagePosition<S> | null {
  requireNonNegativeInteger(globalStep, 'globalStep');
  if (stages.length === 0) throw new RlInputError('stages', 'a curriculum needs at least one stage');
  stages.forEach((stage, index) => {
    if (!Number.isSafeInteger(stage?.steps) || stage.steps <= 0) {
      throw new RlInputError(`stages[${index}].steps`, `must be a whole number > 0, got ${String(stage?.steps)}`);
    }
  });
  let startStep = 0;
  for (let index = 0; index < stages.length; index++) {
    const stage = stages[index];
    if (globalStep < startStep + stage.steps) return { index, stage, startStep, stepInStage: globalStep - startStep };
    startStep += stage.steps;
  }
  return null;
}
