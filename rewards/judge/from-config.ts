/**
 * The bridge from the experiment config's `rewards.judge` section (schemas/experiment/judge.ts, already validated and
 * defaulted by zod) to JudgeOptions. Kept structural so the judge does not break when the schema grows a field.
 */
import type { JudgeOptions } from './options.ts';
import type { JudgeMode } from './templates.ts';

/** The fields of the validated `rewards.judge` section this client reads. */
export interface JudgeConfigSection {
  mode?: JudgeMode;
  baseURL: string;
  model: string;
  apiKeyEnv?: string;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  temperature?: number;
  maxTokens?: number;
  bothOrders?: boolean;
  prompts?: { scalar?: string; pairwise?: string; verify?: string };
}

/** Worker-side settings that are not experiment semantics (where the cache lives) come in `extra`. */
export function judgeOptionsFromConfig(section: JudgeConfigSection, extra: Partial<JudgeOptions> = {}): JudgeOptions {
  const templates = Object.fromEntries(Object.entries(section.prompts ?? {}).filter(([, v]) => v !== undefined));
  return {
    mode: section.mode,
    baseURL: section.baseURL,
    model: section.model,
    apiKeyEnv: section.apiKeyEnv,
    concurrency: section.concurrency,
    timeoutMs: section.timeoutMs,
    retries: section.retries,
    temperature: section.temperature,
    maxTokens: section.maxTokens,
    bothOrders: section.bothOrders,
    templates,
    ...extra,
  };
}
