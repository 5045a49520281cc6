/**
 * The inputs and outputs of every activity: small JSON (references and summaries only; big things live in the blob
 * store under the run's base, see storage/run-layout.ts). Imported by workflows as types only.
 */

import type { RolloutShardTimings } from '../schemas/records/step-metrics.ts';
import type { PlanInForce } from '../storage/checkpoints.ts';
import type { PolicyRef } from '../training/policy-store.ts';

/** Identifies a run's base in the blob store and the config it runs (stored once in `run.json`). */
export interface RunRef {
  experiment: string;
  runId: string;
  /** `<checkpoint.storage>/<runId>`: file:// or s3:// URI of the run's base. */
  base: string;
  configHash: string;
}

export type { PolicyRef };

/** Per-task position in the seeded epoch order of its training rows (SPEC §7 data cursor). */
export type DataCursor = Record<string, { epoch: number; offset: number }>;

export interface InitRunInput {
  run: RunRef;
  /** The document as written; validated again here and stored resolved in run.json. */
  config: unknown;
  plan: unknown;
}

export interface PreparedData {
  /** Task → counts after preparation. */
  tasks: Record<string, { train: number; heldOut: number; quarantined: number }>;
}

export interface SampleBatchInput {
  run: RunRef;
  step: number;
  stageIndex: number;
  cursor: DataCursor;
  /** Dynamic sampling's extra draw of the step (1, 2, …); absent for the step's own batch. */
  draw?: number;
}
export interface SampleBatchOutput {
  promptsKey: string;
  /** Task → prompts this step. */
  tasks: Record<string, number>;
  cursor: DataCursor;
  /** The stage it was sampled for (absent in outputs written before batches were prefetched). */
  stageIndex?: number;
}

export interface RolloutInput {
  run: RunRef;
  step: number;
  policy: PolicyRef;
  promptsKey: string;
  /** Window in force, tokens. */
  window: number;
  /** One shard of the step's prompts (`orchestration.rollout.shards` > 1): shard `index` of `count`, by prompt group. */
  shard?: RolloutShard;
  /** Dynamic sampling's extra draw of the step (1, 2, …); absent for the step's own batch. */
  draw?: number;
  /** Responses per prompt; default the config's `rollout.groupSize` (rejection sampling draws its own k). */
  samplesPerPrompt?: number;
}
export interface RolloutShard {
  index: number;
  count: number;
}
export interface RolloutOutput {
  rolloutsKey: string;
  responses: number;
  tokens: number;
  truncated: number;
  ms: number;
  /** The worker-specific task queue that now holds this policy in memory. */
  workerQueue: string;
  /** Where each shard's time went, in shard order (one entry when unsharded); absent in outputs recorded before. */
  timings?: RolloutShardTimings[];
}

export interface ScoreInput {
  run: RunRef;
  step: number;
  promptsKey: string;
  rolloutsKey: string;
  /** Dynamic sampling's extra draw of the step (1, 2, …); absent for the step's own batch. */
  draw?: number;
}
export interface ScoreOutput {
  rewardsKey: string;
  /** The step's rollout as merged from its shards, when the score merged them (else the rollout's own output). */
  rollout?: RolloutOutput;
  /** Mean total reward over defined samples, null when none. */
  rewardMean: number | null;
  undefinedTotal: number;
  ms: number;
  /** With dynamic sampling on: the draw's groups, and those whose rewards are not all equal (rl/dynamic-sampling.ts). */
  groups?: { drawn: number; kept: number };
}

export interface UpdateInput {
  run: RunRef;
  step: number;
  stage: string;
  policy: PolicyRef;
  promptsKey: string;
  rolloutsKey: string;
  rewardsKey: string;
  window: number;
  learningRate: number;
  /** The data cursor after this step's batch: saved with the policy so a resumed run draws the same next rows. */
  cursor: DataCursor;
  /** Wall time of the earlier phases, carried into the step's metrics. */
  timings: { rolloutMs: number; scoringMs: number; rolloutShards?: RolloutShardTimings[] };
  /** Dynamic sampling's extra draws of the step, in draw order (the step's own batch is the keys above). */
  draws?: StepDraw[];
}

/** The records of one draw of a step. */
export interface StepDraw {
  promptsKey: string;
  rolloutsKey: string;
  rewardsKey: string;
}
export interface UpdateOutput {
  policy: PolicyRef;
  /** Small summary of the step's metrics (the full StepMetrics is in the blob store). */
  summary: StepSummary;
  workerQueue: string;
}

export interface StepSummary {
  step: number;
  rewardMean: number | null;
  /** Task → mean reward. */
  perTask: Record<string, number | null>;
  loss: number;
  window: number;
  ms: number;
  /** The run's failed experiment-tracker calls so far, when any failed (the steps go on without them). */
  trackingFailures?: number;
}

export interface CheckpointInput {
  run: RunRef;
  step: number;
  stage: string;
  policy: PolicyRef;
  metrics?: Record<string, number>;
  /** The plan in force, recorded in the manifest so a resume continues an adjusted run as it was running. */
  plan?: PlanInForce;
}
export interface CheckpointOutput {
  prefix: string;
  files: number;
  deletedSteps: number[];
}

export interface EvaluateInput {
  run: RunRef;
  step: number;
  stage: string;
  reason: 'base' | 'stage-end' | 'periodic' | 'final';
  policy: PolicyRef;
  /** One shard of every task's held-out rows (`orchestration.rollout.shards` > 1); merged by `mergeEvaluation`. */
  shard?: RolloutShard;
}
export interface EvaluateOutput {
  scores: Record<string, number | null>;
  ms: number;
}

/** Where a resumed run comes from: the old run's id and base (`<checkpoint.storage>/<old runId>`). */
export interface ResumeFrom {
  runId: string;
  base: string;
}
export interface ResumeFromCheckpointInput {
  /** The new run. */
  run: RunRef;
  from: ResumeFrom;
}
export interface ResumeFromCheckpointOutput {
  /** The checkpoint copied as the new run's starting snapshot; `step` = global steps already done. */
  policy: PolicyRef;
  /** Data cursor saved with that policy (after its last batch). */
  cursor: DataCursor;
  /** Stage the checkpoint was taken in (omni.json `extra.stage`). */
  stage: string;
  /** URI of the old run's checkpoint that was used. */
  checkpoint: string;
  /** The plan in force when the checkpoint was written (absent in checkpoints written before it was recorded). */
  plan?: PlanInForce;
}

/** A run whose best checkpoint is merged: its id and base (`<checkpoint.storage>/<runId>`). */
export interface MergeSource {
  runId: string;
  base: string;
}
export interface MergeCheckpointsInput {
  /** The merged run (its run.json gives the base policy every source must have started from). */
  run: RunRef;
  sources: MergeSource[];
  /** Fraction of each task vector kept by magnitude; default training/ties-merge.ts TIES_DEFAULTS.density. */
  density?: number;
  /** Scale of the merged task vector; default TIES_DEFAULTS.lambda (1, Omni-Think §4.3). */
  lambda?: number;
}
export interface MergeCheckpointsOutput {
  /** The merged policy, a weights-and-fresh-optimiser checkpoint at step 0 of the merged run. */
  policy: PolicyRef;
  /** Its URI, usable as another run's `model.checkpoint`. */
  checkpoint: string;
  /** Each source's checkpoint that was merged, with the keep-best metric's value when it had one. */
  merged: { runId: string; step: number; checkpoint: string; metric: number | null }[];
  density: number;
  lambda: number;
}

/** One round of rejection sampling: the RL step whose batch it drew and the records its rollout and score wrote. */
export interface RftRound {
  step: number;
  promptsKey: string;
  rolloutsKey: string;
  rewardsKey: string;
}
export interface CollectCorrectInput {
  run: RunRef;
  rounds: RftRound[];
  /** Held-out-scale score a judged or constraint-scored response needs to count as correct (training/keep-correct.ts). */
  judgedThreshold: number;
}
export interface CollectCorrectOutput {
  /** Key of the kept responses (one KeptResponse per line). */
  keptKey: string;
  /** Task → responses sampled and kept. */
  perTask: Record<string, { sampled: number; kept: number }>;
  kept: number;
  /** Response tokens of the kept responses. */
  keptTokens: number;
}

/** Which examples next-token training draws from: the kept RFT responses, or the base's pretraining corpus. */
export type FineTuneCorpus = { type: 'rft'; keptKey: string } | { type: 'base-corpus' };
export interface FineTuneInput {
  run: RunRef;
  /** The policy this chunk continues from. */
  policy: PolicyRef;
  /** Stage name recorded with the snapshot. */
  stage: string;
  corpus: FineTuneCorpus;
  /** Chunk index (the chunk's idempotency key). */
  chunk: number;
  /** Optimiser steps in this chunk. */
  steps: number;
  /** Sequences per optimiser step. */
  batchSize: number;
  learningRate: number;
}
export interface FineTuneOutput {
  policy: PolicyRef;
  /** Wall time of the chunk's training, ms. */
  ms: number;
  /** The last step's loss (nats per token). */
  loss: number;
  /** Response tokens trained on in this chunk. */
  tokens: number;
  /** Examples the corpus held. */
  examples: number;
}
