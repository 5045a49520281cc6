/** `orchestration`: Temporal task queues, history bounds and activity timeouts (DESIGN). */
import { z } from 'zod';
import { duration, positiveCount, strict } from './primitives.ts';

const queue = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, { error: 'must be a task queue name: letters, digits, . _ -' });

export const orchestrationSchema = strict({
  namespace: z.string().min(1).default('default').meta({ description: "Temporal namespace. Default 'default'." }),
  taskQueues: strict({
    workflow: queue.default('omni-zero').meta({ description: "Workflow task queue. Default 'omni-zero'." }),
    gpu: queue
      .default('omni-zero-gpu')
      .meta({ description: "Rollout, update and evaluation activities. Default 'omni-zero-gpu'." }),
    cpu: queue
      .default('omni-zero-cpu')
      .meta({ description: "Reward scoring and data preparation. Default 'omni-zero-cpu'." }),
    io: queue.default('omni-zero-io').meta({ description: "Checkpoints and blob transfers. Default 'omni-zero-io'." }),
  })
    .prefault({})
    .meta({ title: 'Task queues' }),
  rollout: strict({
    shards: z
      .union([positiveCount, z.literal('auto')])
      .default(1)
      .meta({
        description:
          "Split each step's rollout into this many shards by prompt group, run as parallel activities on the GPU workers (the update stays on one); held-out evaluation is sharded likewise. 'auto': one per GPU worker polling the GPU queue, read from Temporal's task-queue description each step. Records and final weights are the same whatever the count (on the wasm and cpu backends; see docs/orchestration.md). Default 1.",
      }),
  })
    .prefault({})
    .meta({ title: 'Rollout fan-out' }),
  continueAsNewEverySteps: positiveCount.default(25).meta({
    description:
      'Continue-as-new after this many steps to keep the history bounded (it also happens when Temporal suggests it). Default 25.',
  }),
  maxStepReports: positiveCount.default(1500).meta({
    description:
      "How many step reports the experiment workflow takes at most: each costs its history ~5 events, so a plan longer than this reports every ⌈steps / maxStepReports⌉ steps (the experiment's progress query and `watch` move in those strides; each stage workflow still records every step). Keeps a week-long run under Temporal's history limits. Default 1500.",
  }),
  activityTimeouts: strict({
    prepareData: duration.default('2h').meta({ description: "Start-to-close of data preparation. Default '2h'." }),
    sampleBatch: duration.default('5m').meta({ description: "Default '5m'." }),
    rollout: duration.default('1h').meta({ description: "Default '1h'." }),
    score: duration.default('30m').meta({ description: "Default '30m'." }),
    update: duration.default('1h').meta({ description: "Default '1h'." }),
    checkpoint: duration.default('30m').meta({ description: "Default '30m'." }),
    evaluate: duration.default('2h').meta({ description: "Default '2h'." }),
    heartbeat: duration.default('2m').meta({ description: 'Heartbeat timeout of long activities. Default 2m.' }),
  })
    .prefault({})
    .meta({ title: 'Activity timeouts' }),
  retry: strict({
    initialInterval: duration.default('1s').meta({ description: "Default '1s'." }),
    backoffCoefficient: z.number().min(1).default(2).meta({ description: 'Default 2.' }),
    maximumInterval: duration.default('1m').meta({ description: "Default '1m'." }),
    maximumAttempts: z
      .int()
      .min(0)
      .default(10)
      .meta({ description: 'Attempts per activity; 0 = unlimited. Default 10.' }),
  })
    .prefault({})
    .meta({ title: 'Activity retry policy' }),
}).meta({
  title: 'Orchestration',
  description: 'Temporal settings; change nothing in code to move from the dev server to a cluster.',
});
