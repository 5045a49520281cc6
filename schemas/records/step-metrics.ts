/** What one RL step reports (SPEC §8's list): overall and per task. Computed where the data is, logged in one place. */
import { z } from 'zod';

const taskMetrics = z.strictObject({
  rewardMean: z.number().nullable(),
  /** Mean of each reward component over defined values; null when none was defined. */
  components: z.record(z.string(), z.number().nullable()),
  /** Fraction of verifiable answers judged correct (null for non-verifiable tasks). */
  accuracy: z.number().min(0).max(1).nullable(),
  thinkTokensMean: z.number().min(0),
  answerTokensMean: z.number().min(0),
  thinkCharsMean: z.number().min(0),
  answerCharsMean: z.number().min(0),
  responseTokensMean: z.number().min(0),
  truncatedFraction: z.number().min(0).max(1),
  zeroVarianceGroupFraction: z.number().min(0).max(1),
  /** Samples dropped because every component was undefined. */
  droppedUndefined: z.int().min(0),
  samples: z.int().min(0),
});

/**
 * Where one rollout shard's time went (the whole rollout is one shard), ms: what fan-out costs beside sampling.
 * `policy` says how the worker got the policy: held in its memory (no I/O), or downloaded and built.
 */
export const rolloutShardTimingsSchema = z.strictObject({
  shard: z.int().min(0),
  /** From the activity's scheduling to its start on the worker (dispatch, a worker busy with something else). */
  queuedMs: z.number().min(0),
  /** Reading the batch's prompts. */
  promptsMs: z.number().min(0),
  policy: z.enum(['held', 'downloaded']),
  /** Snapshot files to local disk, verified; 0 when held. */
  downloadMs: z.number().min(0),
  /** Weights into tensors and the model built; 0 when held. */
  buildMs: z.number().min(0),
  samplingMs: z.number().min(0),
  /** Writing the shard's records. */
  writeMs: z.number().min(0),
});

export const stepMetricsSchema = z
  .strictObject({
    step: z.int().min(0),
    stage: z.string().min(1),
    /** Window in force, tokens (SPEC §5: recorded with every step). */
    window: z.int().min(1),
    learningRate: z.number().min(0),
    loss: z.number(),
    clipFraction: z.number().min(0).max(1),
    /** KL of the updated policy to the rollout (old) policy, k3 token mean. */
    klApprox: z.number(),
    /** KL to the frozen reference (base) policy, k3 token mean; only when the KL term is on (some β > 0). */
    refKl: z.number().optional(),
    entropy: z.number(),
    gradNorm: z.number().min(0).optional(),
    rewardMean: z.number().nullable(),
    zeroVarianceGroupFraction: z.number().min(0).max(1),
    truncatedFraction: z.number().min(0).max(1),
    perTask: z.record(z.string(), taskMetrics),
    /**
     * DAPO dynamic sampling, when on: batches drawn (the step's own included), their groups, those whose rewards were
     * not all equal, and those trained on (fewer than rollout.promptsPerStep when grpo.dynamicSampling.maxBatches
     * was reached first). The other metrics cover every response drawn.
     */
    dynamicSampling: z
      .strictObject({
        draws: z.int().min(1),
        groupsDrawn: z.int().min(0),
        groupsKept: z.int().min(0),
        groupsTrained: z.int().min(0),
      })
      .optional(),
    /** Failed experiment-tracker calls of the run so far; present only when this step's tracker logging failed. */
    trackingFailures: z.int().min(1).optional(),
    /** Wall time per phase, ms. */
    timings: z.strictObject({
      rolloutMs: z.number().min(0),
      scoringMs: z.number().min(0),
      updateMs: z.number().min(0),
      checkpointMs: z.number().min(0).optional(),
      evaluationMs: z.number().min(0).optional(),
      /** The step's own batch's rollout, per shard in shard order. */
      rolloutShards: z.array(rolloutShardTimingsSchema).optional(),
    }),
  })
  .meta({ title: 'Step metrics' });

export type StepMetrics = z.output<typeof stepMetricsSchema>;
export type RolloutShardTimings = z.output<typeof rolloutShardTimingsSchema>;
export type TaskStepMetrics = z.output<typeof taskMetrics>;
