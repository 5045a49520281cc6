/**
 * The Temporal SDK runtime of a process, installed once before any connection: its logger writes through the
 * process's pino logger (activities/log.ts), so SDK, workflow and activity lines are one JSON stream on stderr; and,
 * when asked, the SDK's own metrics (task latencies, poll counts, slots, sticky cache) on a Prometheus endpoint.
 * CLI commands that run workers inline keep it at WARN so their own output stays readable; OMNI_ZERO_LOG_LEVEL
 * overrides either.
 */
import { type Logger, type LogLevel, type LogMetadata, Runtime } from '@temporalio/worker';
import type { Level } from 'pino';
import { logger, logLevelFromEnv, setLogLevel } from '../activities/log.ts';

export interface RuntimeOptions {
  /**
   * `host:port` where the SDK serves its runtime metrics (Prometheus text format, prefix `temporal_`). Default: none.
   * Core binds it itself, so it must be a concrete free port (0 cannot be read back).
   */
  metricsAddress?: string;
}

let installed = false;

const PINO_LEVEL: Record<LogLevel, Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The SDK's Logger over pino; the SDK's meta (workflow/activity ids, sdkComponent) become JSON fields. */
class PinoSdkLogger implements Logger {
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    // The activity task token is ~200 bytes of base64 on every activity line and identifies nothing a person uses.
    const { taskToken: _token, ...fields } = meta ?? {};
    logger[PINO_LEVEL[level] ?? 'info'](fields, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** Installs the runtime at `level` (OMNI_ZERO_LOG_LEVEL wins); later calls in the same process do nothing. */
export function installRuntime(level: LogLevel = 'WARN', opts: RuntimeOptions = {}): void {
  if (installed) return;
  installed = true;
  setLogLevel(logLevelFromEnv(PINO_LEVEL[level]));
  Runtime.install({
    logger: new PinoSdkLogger(),
    ...(opts.metricsAddress
      ? { telemetryOptions: { metrics: { prometheus: { bindAddress: opts.metricsAddress } } } }
      : {}),
  });
}
