/**
 * The drill's experiment: the shared learning config (test/helpers/learning-config.ts: the demo base, code → math on
 * synthetic worlds, a non-zero gradient every step) with a third stage, writing scored by the LLM judge, so a hung
 * judge is on a step's path. Two steps a stage keep one run near a minute on a shared 2-core machine.
 */
import { learningExperiment } from '../../test/helpers/learning-config.ts';
import type { WorkerRole } from '../../workers/task-queues.ts';

export const CHAOS_STEPS_PER_STAGE = 2;
/** code, math, writing. */
export const CHAOS_TOTAL_STEPS = 3 * CHAOS_STEPS_PER_STAGE;
/** The writing stage's steps: the only ones that call the judge. */
export const CHAOS_JUDGED_STEPS = { first: 2 * CHAOS_STEPS_PER_STAGE, last: CHAOS_TOTAL_STEPS - 1 };

/**
 * Per-call judge timeout and retries: a 20 s hang (the longest the plan draws) is outlived by the retries (8 tries
 * of 2 s plus backoff doubling from 0.25-0.5 s to 4-8 s: at least 37 s in all), so a hang delays scores and never loses one.
 */
export const CHAOS_JUDGE = { timeoutMs: 2_000, retries: 8 } as const;

export function chaosExperiment(o: {
  /** Written into the description: the CPU worker keeps one judge client (and its cache of judgements) per config
   *  hash, so without a config of its own a run would find every judgement cached by the run before and never ask
   *  the judge. The description changes no weight (checkpoints record the hash beside the weights, not in them). */
  runId: string;
  storage: string;
  queues: Record<WorkerRole, string>;
  judgeBaseURL: string;
}): Record<string, unknown> {
  const c = learningExperiment({
    name: 'chaos',
    storage: o.storage,
    queues: o.queues,
    stepsPerStage: CHAOS_STEPS_PER_STAGE,
    checkpointEvery: 2,
    heartbeat: '5s',
  });
  return {
    ...c,
    description: `chaos drill run ${o.runId}`,
    tasks: {
      ...(c.tasks as Record<string, unknown>),
      writing: { kind: 'writing', scorer: 'judge', source: { type: 'synthetic', trainSize: 16, heldOutSize: 2 } },
    },
    rewards: { judge: { baseURL: o.judgeBaseURL, model: 'chaos-judge', concurrency: 8, ...CHAOS_JUDGE } },
  };
}
