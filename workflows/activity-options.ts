/** Activity options from the config's `orchestration` section: timeouts per activity, heartbeats, retries. */
import type { ActivityOptions } from '@temporalio/workflow';
import type { ExperimentConfig } from '../schemas/experiment.ts';

/** The part of `orchestration` workflows carry (small, JSON). */
export interface OrchestrationSettings {
  taskQueues: ExperimentConfig['orchestration']['taskQueues'];
  activityTimeouts: ExperimentConfig['orchestration']['activityTimeouts'];
  retry: ExperimentConfig['orchestration']['retry'];
  /** Shards of a step's rollout (`orchestration.rollout.shards`); absent in runs started before fan-out: 1. */
  rolloutShards?: number | 'auto';
  /** How long a task may wait on a GPU worker's own queue before falling back to any GPU worker. */
  stickyScheduleToStartTimeout: string;
  /** `grpo.dynamicSampling` when on: most batches a step draws, and the kept groups it wants (`promptsPerStep`). */
  dynamicSampling?: { maxBatches: number; groups: number };
}

export function orchestrationSettings(config: ExperimentConfig): OrchestrationSettings {
  const o = config.orchestration;
  return {
    taskQueues: o.taskQueues,
    activityTimeouts: o.activityTimeouts,
    retry: o.retry,
    rolloutShards: o.rollout.shards,
    stickyScheduleToStartTimeout: '20s',
    // Only when on, so the stage input of a run without it stays as it was.
    ...(config.grpo.dynamicSampling.enabled
      ? {
          dynamicSampling: {
            maxBatches: config.grpo.dynamicSampling.maxBatches,
            groups: config.rollout.promptsPerStep,
          },
        }
      : {}),
  };
}

type TimedActivity = keyof Omit<ExperimentConfig['orchestration']['activityTimeouts'], 'heartbeat'>;

const TIMEOUT_OF: Record<string, TimedActivity> = {
  initRun: 'checkpoint',
  prepareData: 'prepareData',
  initPolicy: 'checkpoint',
  sampleBatch: 'sampleBatch',
  rollout: 'rollout',
  score: 'score',
  update: 'update',
  checkpoint: 'checkpoint',
  evaluate: 'evaluate',
  resumeFromCheckpoint: 'checkpoint',
  compareSweepRuns: 'checkpoint',
  mergeCheckpoints: 'checkpoint',
  gpuWorkers: 'sampleBatch',
  mergeEvaluation: 'sampleBatch',
  collectCorrect: 'score',
  fineTune: 'update',
};

/** Bad input is final: these failure types are never retried (activities raise them for invalid configs/data). */
export const NON_RETRYABLE_TYPES = [
  'InvalidInput',
  'InvalidExperimentConfig',
  'CheckpointError',
  'ModelCheckpointError',
  // A storage URI that cannot work (no such bucket, an unsafe key): the run's config must change.
  'BlobStoreConfigError',
];

export function activityOptions(o: OrchestrationSettings, taskQueue: string, activity: string): ActivityOptions {
  const which = TIMEOUT_OF[activity] ?? 'update';
  return {
    taskQueue,
    startToCloseTimeout: o.activityTimeouts[which],
    heartbeatTimeout: o.activityTimeouts.heartbeat,
    retry: {
      initialInterval: o.retry.initialInterval,
      backoffCoefficient: o.retry.backoffCoefficient,
      maximumInterval: o.retry.maximumInterval,
      ...(o.retry.maximumAttempts > 0 ? { maximumAttempts: o.retry.maximumAttempts } : {}),
      nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
    },
  };
}
