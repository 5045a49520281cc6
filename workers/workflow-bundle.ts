/** The workflow code bundle, built once per process: bundling costs ~2 s and every worker of a process shares it. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

export const WORKFLOWS_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'workflows', 'index.ts');
/** Puts experiment and run ids on every workflow log line. */
const LOG_ATTRIBUTES_PATH = path.join(path.dirname(WORKFLOWS_PATH), 'log-attributes.ts');

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (msg: string, meta?: unknown) => console.warn(msg, meta ?? ''),
  error: (msg: string, meta?: unknown) => console.error(msg, meta ?? ''),
};

export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [LOG_ATTRIBUTES_PATH],
    logger: quietLogger,
  });
  return bundle;
}
