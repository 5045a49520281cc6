/** The workflow code bundle, built once per process: bundling costs ~2 s and every worker of a process shares it. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleOptions, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

type Configuration = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

const PACKAGE_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WORKFLOWS_PATH = path.join(PACKAGE_ROOT, 'workflows', 'index.ts');
/** Puts experiment and run ids on every workflow log line. */
const LOG_ATTRIBUTES_PATH = path.join(path.dirname(WORKFLOWS_PATH), 'log-attributes.ts');

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (msg: string, meta?: unknown) => console.warn(msg, meta ?? ''),
  error: (msg: string, meta?: unknown) => console.error(msg, meta ?? ''),
};

/**
 * The SDK compiles `.ts` with swc-loader except under node_modules; an installed omni-zero lives there, so its own
 * workflow sources (and only those, not the packages nested below it) are let through.
 */
function isForeignModule(file: string): boolean {
  const rel = path.relative(PACKAGE_ROOT, file);
  const inside = !rel.startsWith('..') && !path.isAbsolute(rel);
  return (inside ? rel : file).split(path.sep).includes('node_modules');
}

function compileOwnTypeScript(config: Configuration): Configuration {
  for (const rule of config.module?.rules ?? []) {
    if (rule && typeof rule === 'object' && String(rule.test) === String(/\.ts$/)) rule.exclude = isForeignModule;
  }
  return config;
}

/**
 * `failureConverterPath`: the failure converter workflow code uses (errors thrown in workflows are converted inside
 * the sandbox); the SDK's default without it.
 */
export function workflowBundle(failureConverterPath?: string): Promise<WorkflowBundleWithSourceMap> {
  const key = failureConverterPath ?? '';
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: [LOG_ATTRIBUTES_PATH],
      logger: quietLogger,
      webpackConfigHook: compileOwnTypeScript,
      ...(failureConverterPath ? { failureConverterPath } : {}),
    });
    bundles.set(key, bundle);
  }
  return bundle;
}
