/**
 * The experiment's input, taken as given: `{ config, runId?, resumeFrom? }` from the CLI, or a bare config pasted into
 * the Web UI's "Start Workflow" form. The config is validated here, not trusted: an invalid one fails the workflow at
 * once, non-retryably, listing every problem.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { ResumeFrom } from '../activities/types.ts';
import type { ExperimentConfig } from '../schemas/experiment.ts';
import { parseExperimentConfig } from '../schemas/parse.ts';

/** The CLI's form of the input; a bare config object (from the Web UI) is treated as `{ config }`. */
export interface ExperimentStart {
  /** The experiment config as parsed JSON/YAML (validated here, not trusted). */
  config: unknown;
  /** Stable run id; default: the workflow id (a schedule's runs each get their own). */
  runId?: string;
  /**
   * Continue a failed run (`omni-zero resume`): its newest deep-verified checkpoint becomes this run's starting
   * policy, with the global step, stage and data cursor it carries; its prepared data is copied, not recomputed.
   */
  resumeFrom?: ResumeFrom;
}

export const INVALID_CONFIG = 'InvalidExperimentConfig';

export function experimentStart(input: unknown): ExperimentStart {
  return isStart(input) ? input : { config: input };
}

function isStart(input: unknown): input is ExperimentStart {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'config' in input;
}

/** The config's name if it has one, before validation (for the run's search attributes). */
export function configName(config: unknown): string | null {
  const name = typeof config === 'object' && config !== null && 'name' in config ? config.name : undefined;
  return typeof name === 'string' ? name : null;
}

/** The validated config; otherwise `onInvalid` hears the problems and the workflow fails, listing them. */
export function validConfig(config: unknown, onInvalid: (problems: string[]) => void): ExperimentConfig {
  const parsed = parseExperimentConfig(config);
  if (parsed.ok) return parsed.config;
  const problems = parsed.issues.map((i) => `${i.path || '(config)'}: ${i.message}`);
  onInvalid(problems);
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  throw ApplicationFailure.nonRetryable(
    `invalid experiment config (${count}); fix these and start again:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    INVALID_CONFIG,
    { problems: parsed.issues }
  );
}
