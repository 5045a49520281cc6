/**
 * The worker's Prometheus registry (prom-client): the step metrics of every run this process updates (SPEC §8's
 * list, labelled by experiment, run, stage and task) and phase timings of every activity it executes. Step metrics
 * arrive on the diagnostics channel `logStep` publishes (activities/log.ts); timings come from an activity
 * interceptor, so no activity is edited to be timed. The Temporal SDK's own runtime metrics are a separate endpoint
 * (workers/runtime.ts).
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { STEP_METRICS_CHANNEL, type StepMetricsMessage } from '../activities/log.ts';
import type { RunRef } from '../activities/types.ts';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'omni_zero_process_' });

const RUN = ['experiment', 'run', 'stage'] as const;
const TASK = [...RUN, 'task'] as const;
const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
  new Gauge<L>({ name: `omni_zero_${name}`, help, labelNames, registers: [registry] });

/** Last completed step's values; a gauge per metric, because Prometheus samples them between steps. */
const step = {
  step: gauge('step', 'Global index of the last completed RL step', RUN),
  window: gauge('window_tokens', 'Response window in force at the last step, tokens', RUN),
  learningRate: gauge('learning_rate', 'Learning rate of the last step', RUN),
  loss: gauge('loss', 'GRPO loss of the last step', RUN),
  clipFraction: gauge('clip_fraction', 'Fraction of tokens whose ratio was clipped, last step', RUN),
  kl: gauge('kl', 'Approximate KL (k3 mean) of the last step', RUN),
  entropy: gauge('entropy', 'Mean token entropy of the last step', RUN),
  gradNorm: gauge('grad_norm', 'Gradient norm before clipping, last step', RUN),
  reward: gauge('reward', 'Mean total reward of the last step over defined samples', RUN),
  zeroVariance: gauge('zero_variance_group_fraction', 'Fraction of groups with identical rewards, last step', RUN),
  truncated: gauge('truncated_fraction', 'Fraction of responses cut by the window, last step', RUN),
  trackingFailures: gauge(
    'tracking_failures',
    'Experiment-tracker calls (MLflow, TensorBoard) of the run that failed so far; set at a step whose logging failed',
    RUN
  ),
};
const task = {
  reward: gauge('task_reward', 'Mean total reward of the task at the last step', TASK),
  accuracy: gauge('task_accuracy', 'Fraction of verifiable answers judged correct at the last step', TASK),
  responseTokens: gauge('task_response_tokens', 'Mean response length at the last step, tokens', TASK),
  thinkTokens: gauge('task_think_tokens', 'Mean thinking length at the last step, tokens', TASK),
  answerTokens: gauge('task_answer_tokens', 'Mean answer length at the last step, tokens', TASK),
  truncated: gauge('task_truncated_fraction', 'Fraction of responses cut by the window at the last step', TASK),
  zeroVariance: gauge('task_zero_variance_group_fraction', 'Fraction of groups with identical rewards', TASK),
  samples: gauge('task_samples', 'Responses of the task at the last step', TASK),
};
const steps = new Counter({
  name: 'omni_zero_steps_total',
  help: 'RL steps completed by this worker',
  labelNames: RUN,
  registers: [registry],
});

/** Activity type → phase name (SPEC §8's timing rows); other activities keep their own name. */
const PHASE: Record<string, string> = {
  rollout: 'rollout',
  score: 'scoring',
  update: 'update',
  checkpoint: 'checkpoint',
  evaluate: 'evaluation',
};
const phaseSeconds = new Histogram({
  name: 'omni_zero_phase_seconds',
  help: 'Wall time of activities executed by this worker, by phase and outcome',
  labelNames: ['experiment', 'run', 'phase', 'outcome'],
  // A tiny model's phases take tens of ms, a real one's minutes: buckets cover both.
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
  registers: [registry],
});

/** Sets every step gauge from one step's record (exported for tests; normally fed by the channel). */
export function recordStepMetrics({ run, metrics: m }: StepMetricsMessage): void {
  const l = { experiment: run.experiment, run: run.runId, stage: m.stage };
  step.step.set(l, m.step);
  step.window.set(l, m.window);
  step.learningRate.set(l, m.learningRate);
  step.loss.set(l, m.loss);
  step.clipFraction.set(l, m.clipFraction);
  step.kl.set(l, m.klApprox);
  step.entropy.set(l, m.entropy);
  if (m.gradNorm !== undefined) step.gradNorm.set(l, m.gradNorm);
  if (m.rewardMean !== null) step.reward.set(l, m.rewardMean);
  step.zeroVariance.set(l, m.zeroVarianceGroupFraction);
  step.truncated.set(l, m.truncatedFraction);
  if (m.trackingFailures !== undefined) step.trackingFailures.set(l, m.trackingFailures);
  steps.inc(l);
  for (const [name, t] of Object.entries(m.perTask)) {
    const tl = { ...l, task: name };
    if (t.rewardMean !== null) task.reward.set(tl, t.rewardMean);
    if (t.accuracy !== null) task.accuracy.set(tl, t.accuracy);
    task.responseTokens.set(tl, t.responseTokensMean);
    task.thinkTokens.set(tl, t.thinkTokensMean);
    task.answerTokens.set(tl, t.answerTokensMean);
    task.truncated.set(tl, t.truncatedFraction);
    task.zeroVariance.set(tl, t.zeroVarianceGroupFraction);
    task.samples.set(tl, t.samples);
  }
}

let subscribed = false;
/** Feeds the registry from every `logStep` of this process; idempotent. */
export function subscribeStepMetrics(): void {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe(STEP_METRICS_CHANNEL, (msg) => recordStepMetrics(msg as StepMetricsMessage));
}

function runOf(args: readonly unknown[]): RunRef | undefined {
  const run = (args[0] as { run?: Partial<RunRef> } | undefined)?.run;
  return typeof run?.runId === 'string' && typeof run.experiment === 'string' ? (run as RunRef) : undefined;
}

/**
 * Times every activity into `omni_zero_phase_seconds` and puts the run's experiment and run id on every line the
 * activity logs through `Context.log` (the SDK's logger, which workers/runtime.ts routes to pino).
 */
export const activityTelemetry: ActivityInterceptorsFactory = (ctx) => {
  let run: RunRef | undefined;
  return {
    inbound: {
      async execute(input, next) {
        run = runOf(input.args);
        const labels = {
          experiment: run?.experiment ?? '',
          run: run?.runId ?? '',
          phase: PHASE[ctx.info.activityType] ?? ctx.info.activityType,
        };
        const end = phaseSeconds.startTimer(labels);
        try {
          const out = await next(input);
          end({ outcome: 'ok' });
          return out;
        } catch (err) {
          end({ outcome: 'error' });
          throw err;
        }
      },
    },
    outbound: {
      getLogAttributes(input, next) {
        return next(run ? { ...input, experiment: run.experiment, run: run.runId } : input);
      },
    },
  };
};
