/**
 * The structured log of a worker process (pino: one JSON line per record on stderr, so stdout stays free for CLI
 * results) and the one place a step's metrics are logged: `logStep` writes the step's info line with the key
 * metrics and publishes the full record on a diagnostics channel, which the worker's Prometheus registry
 * (workers/telemetry.ts) subscribes to — activities publish, they never import the worker layer.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import pino, { type Level, type Logger } from 'pino';
import type { StepMetrics } from '../schemas/records/step-metrics.ts';
import type { RunRef } from './types.ts';

/** Carries `{ run, metrics }` for every step an update activity completes in this process. */
export const STEP_METRICS_CHANNEL = 'omni-zero:step-metrics';
const stepChannel = diagnosticsChannel.channel(STEP_METRICS_CHANNEL);

export interface StepMetricsMessage {
  run: RunRef;
  metrics: StepMetrics;
}

const LEVELS: readonly Level[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** `OMNI_ZERO_LOG_LEVEL` (trace…fatal, any case) when set and valid, else `fallback`. */
export function logLevelFromEnv(fallback: Level = 'info'): Level {
  const env = process.env.OMNI_ZERO_LOG_LEVEL?.toLowerCase();
  if (env === undefined || env === '') return fallback;
  if (env === 'warning') return 'warn';
  if (!(LEVELS as string[]).includes(env)) {
    throw new Error(
      `OMNI_ZERO_LOG_LEVEL must be one of ${LEVELS.join(', ')} (got '${process.env.OMNI_ZERO_LOG_LEVEL}')`
    );
  }
  return env as Level;
}

/** The process's logger. Synchronous writes: a worker killed mid-run must not lose its last lines. */
export const logger: Logger = pino(
  { level: safeLevel(), timestamp: pino.stdTimeFunctions.isoTime, base: { pid: process.pid } },
  pino.destination({ dest: 2, sync: true })
);

// A bad OMNI_ZERO_LOG_LEVEL must not break every import of activities; `omni-zero worker` reports it (logLevelFromEnv).
function safeLevel(): Level {
  try {
    return logLevelFromEnv('info');
  } catch {
    return 'info';
  }
}

/** Sets the level of every line of this process (workers/runtime.ts: the SDK's level follows it). */
export function setLogLevel(level: Level): void {
  logger.level = level;
}

/** A child logger whose every line carries the run's experiment and run id. */
export function runLog(run: RunRef): Logger {
  return logger.child({ experiment: run.experiment, run: run.runId });
}

/** The fields of a step's log line: the key metrics overall and per task, rounded to what a person reads. */
export function stepLogFields(m: StepMetrics): Record<string, unknown> {
  const r = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 1e4) / 1e4);
  return {
    step: m.step,
    stage: m.stage,
    window: m.window,
    reward: r(m.rewardMean),
    rewardByTask: Object.fromEntries(Object.entries(m.perTask).map(([t, v]) => [t, r(v.rewardMean)])),
    accuracyByTask: Object.fromEntries(
      Object.entries(m.perTask).flatMap(([t, v]) => (v.accuracy === null ? [] : [[t, r(v.accuracy)]]))
    ),
    loss: r(m.loss),
    clipFraction: r(m.clipFraction),
    kl: r(m.klApprox),
    entropy: r(m.entropy),
    zeroVarianceGroupFraction: r(m.zeroVarianceGroupFraction),
    truncatedFraction: r(m.truncatedFraction),
    learningRate: m.learningRate,
    ms: Math.round(m.timings.rolloutMs + m.timings.scoringMs + m.timings.updateMs),
    ...(m.trackingFailures === undefined ? {} : { trackingFailures: m.trackingFailures }),
    ...(m.dynamicSampling ? { dynamicSampling: m.dynamicSampling } : {}),
  };
}

/** One info line per completed step, and the full record to this process's metrics registry if one listens. */
export function logStep(run: RunRef, metrics: StepMetrics): void {
  runLog(run).info(stepLogFields(metrics), 'step');
  if (stepChannel.hasSubscribers) stepChannel.publish({ run, metrics } satisfies StepMetricsMessage);
}
