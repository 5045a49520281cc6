/**
 * The smallest real experiment: a micro model, two single-task stages of a few steps, 2 prompts × 2 responses, a
 * 16-token window; storage and task queues given by the test. Everything it runs is real (engine, scorer,
 * sandbox, blob store, Temporal); it is just small.
 */
import type { RunningWorkers } from './workers.ts';

export function tinyExperiment(opts: {
  name: string;
  storage: string;
  workers: RunningWorkers;
  stepsPerStage?: number;
  tasks?: ('math' | 'code' | 'qa' | 'writing')[];
  checkpointEvery?: number;
  continueAsNewEvery?: number;
  heartbeat?: string;
}): Record<string, unknown> {
  const tasks = opts.tasks ?? ['code', 'math'];
  return {
    name: opts.name,
    seed: 3,
    template: { style: 'ot', systemPrompt: 'Answer in tags.' },
    model: { preset: 'micro', tokenizer: { type: 'byte', tagTokens: true } },
    rollout: { groupSize: 2, promptsPerStep: 2 },
    window: {
      type: 'steps',
      steps: [
        { fromStep: 0, maxTokens: 12 },
        { fromStep: 2, maxTokens: 16 },
      ],
    },
    tasks: Object.fromEntries(
      tasks.map((t) => [
        t,
        {
          kind: t,
          ...(t === 'writing' ? { scorer: 'constraints' } : {}),
          source: { type: 'synthetic', trainSize: 8, heldOutSize: 2 },
        },
      ])
    ),
    schedule: { kind: 'curriculum', stepsPerStage: opts.stepsPerStage ?? 3 },
    evaluation: { everySteps: 0, avgK: 1 },
    checkpoint: { everySteps: opts.checkpointEvery ?? 2, keepLast: 2, storage: opts.storage },
    orchestration: {
      continueAsNewEverySteps: opts.continueAsNewEvery ?? 25,
      taskQueues: {
        workflow: opts.workers.queues.main,
        gpu: opts.workers.queues.gpu,
        cpu: opts.workers.queues.cpu,
        io: opts.workers.queues.io,
      },
      activityTimeouts: { heartbeat: opts.heartbeat ?? '30s' },
      retry: { initialInterval: '200ms', maximumInterval: '2s' },
    },
  };
}
