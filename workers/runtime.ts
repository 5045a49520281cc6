/**
 * The Temporal SDK runtime of a process (its logger), installed once before any connection. CLI commands that run
 * workers inline keep the SDK at WARN so their own output stays readable; OMNI_ZERO_LOG_LEVEL overrides.
 */
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';

let installed = false;

export function installRuntime(level: LogLevel = 'WARN'): void {
  if (installed) return;
  installed = true;
  const env = process.env.OMNI_ZERO_LOG_LEVEL?.toUpperCase() as LogLevel | undefined;
  Runtime.install({ logger: new DefaultLogger(env ?? level) });
}
