/**
 * The smallest experiment that really learns, for the resume and crash tests: the demo's pretrained base
 * (models/demo-base) on a two-stage curriculum code → math (arith world), 4 prompts × 8 responses a step, a
 * 48-token window. The base answers in the demo's format often enough that rewards vary within a group, so every
 * step has a non-zero GRPO gradient and every checkpoint differs from the one before and from the base: a resume that
 * reloads the base, drops the Adam state or resets the data cursor ends with other weights.
 */
import type { WorkerRole } from '../../workers/task-queues.ts';

export function learningExperiment(o: {
  name: string;
  storage: string;
  queues: Record<WorkerRole, string>;
  stepsPerStage?: number;
  checkpointEvery?: number;
  heartbeat?: string;
}): Record<string, unknown> {
  return {
    name: o.name,
    seed: 7,
    template: {
      style: 'ot',
      systemPrompt: 'Think inside <think></think>, then answer inside <answer></answer>.',
    },
    model: { preset: 'tiny', checkpoint: 'file://models/demo-base', tokenizer: { type: 'byte', tagTokens: true } },
    grpo: { learningRate: 0.0003 },
    rollout: { groupSize: 8, promptsPerStep: 4 },
    window: { type: 'steps', steps: [{ fromStep: 0, maxTokens: 48 }] },
    tasks: {
      code: { kind: 'code', source: { type: 'synthetic', trainSize: 16, heldOutSize: 2 } },
      math: { kind: 'math', source: { type: 'synthetic', world: 'arith', trainSize: 16, heldOutSize: 2 } },
    },
    schedule: { kind: 'curriculum', stepsPerStage: o.stepsPerStage ?? 3 },
    evaluation: { everySteps: 0, avgK: 1, baseline: false },
    checkpoint: { everySteps: o.checkpointEvery ?? 2, keepLast: 2, storage: o.storage },
    orchestration: {
      continueAsNewEverySteps: 25,
      taskQueues: { workflow: o.queues.main, gpu: o.queues.gpu, cpu: o.queues.cpu, io: o.queues.io },
      activityTimeouts: { heartbeat: o.heartbeat ?? '30s' },
      retry: { initialInterval: '200ms', maximumInterval: '2s' },
    },
  };
}
