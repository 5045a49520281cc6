/**
 * The part of omni-zero's public API that talks to Temporal or runs inside its workers: watching, listing and
 * resuming runs, worker telemetry and the workers' structured log. The libraries are the package entry (index.ts),
 * which loads no Temporal module.
 * @module
 */

export {
  logger,
  logStep,
  runLog,
  STEP_METRICS_CHANNEL,
  type StepMetricsMessage,
  stepLogFields,
} from './activities/log.ts';
export { RESUMABLE, type ResumedRun, resumeEndedRun } from './cli/commands/resume-run.ts';
export { type ListFilter, listQuery, listRuns, type RunRow, runRow, runTable } from './cli/list-runs.ts';
export { type ProgressView, progressLine, progressView } from './cli/progress-view.ts';
export { experimentHandle, type RunState, runState, type WatchOptions, watchRun } from './cli/watch-run.ts';
export { type MetricsServer, type MetricsServerOptions, startMetricsServer } from './workers/metrics-server.ts';
export {
  activityTelemetry,
  recordStepMetrics,
  registry as metricsRegistry,
  subscribeStepMetrics,
} from './workers/telemetry.ts';
export {
  NOTHING_TO_RESUME,
  RESUME_MISMATCH,
  ResumePositionError,
  resumeStageIndex,
} from './workflows/resume-position.ts';
