/**
 * The custom search attributes every omni-zero run upserts, registered on the server by `infra/temporal-dev.ts`.
 * Shared by the launcher (registration), the workflows (upserts) and the CLI (`omni-zero ls` queries).
 * Example Web UI / CLI queries (see README): `OmniExperiment = "demo" AND ExecutionStatus = "Running"`.
 */
export const SEARCH_ATTRIBUTES = {
  /** Experiment name from the config. */
  OmniExperiment: 'Keyword',
  /** The run id (`<experiment>-<date>-<short id>`), stable across continue-as-new and resume. */
  OmniRun: 'Keyword',
  /** Name of the stage in progress. */
  OmniStage: 'Keyword',
  /** Global RL step count completed so far. */
  OmniStep: 'Int',
  /** planning | preparing | training | evaluating | paused | completed | failed | stopped */
  OmniStatus: 'Keyword',
  /** Mean total reward of the last completed step. */
  OmniReward: 'Double',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;
export type SearchAttributeKind = (typeof SEARCH_ATTRIBUTES)[SearchAttributeName];
