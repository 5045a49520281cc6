/** Options of the LLM judge (config section `rewards.judge`); defaults are resolved once by resolveJudgeOptions. */
import { JudgeConfigError } from './errors.ts';
import type { OneOrderFailed, PairwiseCombine } from './pairwise.ts';
import type { ScoreRange } from './parse.ts';
import {
  checkTemplate,
  DEFAULT_PAIRWISE_TEMPLATE,
  DEFAULT_SCALAR_TEMPLATE,
  DEFAULT_VERIFY_TEMPLATE,
  type JudgeMode,
} from './templates.ts';

export interface JudgeTemplates {
  /** Scalar mode (GZ eq. 3); placeholders `{question}`, `{answer}`. Default DEFAULT_SCALAR_TEMPLATE. */
  scalar: string;
  /** Pairwise mode (OT); placeholders `{question}`, `{answerA}`, `{answerB}`. Default DEFAULT_PAIRWISE_TEMPLATE. */
  pairwise: string;
  /** Verification mode (General-Reasoner); `{question}`, `{reference}`, `{answer}`. Default DEFAULT_VERIFY_TEMPLATE. */
  verify: string;
}

export interface JudgeOptions {
  /** Base URL of an OpenAI-compatible API including the version path, e.g. `http://127.0.0.1:8000/v1`. Required. */
  baseURL: string;
  /** Model name sent in every request. Required. */
  model: string;
  /** How non-verifiable answers are judged: 'scalar' (GZ, default), 'pairwise' vs a reference (OT), 'verify'. */
  mode?: JudgeMode;
  /**
   * NAME of the environment variable holding the API key (never the key itself, so it never reaches a config file or
   * Temporal history). Omit for servers without authentication; the client then sends a placeholder key.
   */
  apiKeyEnv?: string;
  /** Maximum judge HTTP requests in flight from this client. Default 8. */
  concurrency?: number;
  /** Request starts per minute, retries included (spaced evenly); 0 = unlimited. Default 0. */
  requestsPerMinute?: number;
  /** Per-attempt timeout covering connect, headers and body, in ms. Default 60,000. */
  timeoutMs?: number;
  /** Retries after the first attempt on 408/409/429/5xx, network errors, timeouts and unreadable bodies. Default 3. */
  retries?: number;
  /** First backoff delay before jitter, ms (doubles per retry). Default 500. */
  backoffBaseMs?: number;
  /** Cap on the backoff delay before jitter, ms. Default 8,000. */
  backoffMaxMs?: number;
  /** A Retry-After longer than this (ms) ends the retries instead of being waited out or cut short. Default 60,000. */
  maxRetryAfterMs?: number;
  /** Sampling temperature of the judge. Default 0 (a judge should be repeatable; it also makes the cache sound). */
  temperature?: number;
  /** `max_tokens` per judge reply. Default 1,024. */
  maxTokens?: number;
  /** Optional system message sent before the filled template. Default none. */
  systemPrompt?: string;
  /** Prompt templates per mode; any omitted one uses the documented default. */
  templates?: Partial<JudgeTemplates>;
  /** Valid scalar scores; outside is a parse failure. Default { min: −5, max: 5 } (GZ eq. 3). */
  scoreRange?: ScoreRange;
  /**
   * Pairwise: judge both presentation orders (policy as A, then as B) to cancel position bias. Default true. With
   * false only the policy-as-A order is asked and its outcome alone is the value (position bias NOT cancelled).
   */
  bothOrders?: boolean;
  /** How the two pairwise orders combine. Default 'consistent' (see pairwise.ts). */
  pairwiseCombine?: PairwiseCombine;
  /** Pairwise result when one order failed. Default 'null' (undefined, counted). */
  onOneOrderFailed?: OneOrderFailed;
  /** Cache replies by content hash. Default true. */
  cache?: boolean;
  /** Directory for the on-disk JSONL cache (`judge-cache.jsonl`); omit for memory only. Default none. */
  cacheDir?: string;
}

export type ResolvedJudgeOptions = Required<
  Omit<JudgeOptions, 'apiKeyEnv' | 'systemPrompt' | 'cacheDir' | 'templates'>
> &
  Pick<JudgeOptions, 'apiKeyEnv' | 'systemPrompt' | 'cacheDir'> & { templates: JudgeTemplates };

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new JudgeConfigError(`rewards.judge.${name} must be an integer ≥ 1, got ${v}`);
  return v;
}

function nonNegativeInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0)
    throw new JudgeConfigError(`rewards.judge.${name} must be an integer ≥ 0, got ${v}`);
  return v;
}

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new JudgeConfigError(`rewards.judge.${name} must be a number ≥ 0, got ${v}`);
  return v;
}

/** Fills defaults and rejects settings that could never work, with the config path of the offending field. */
export function resolveJudgeOptions(opts: JudgeOptions): ResolvedJudgeOptions {
  if (typeof opts.baseURL !== 'string' || !/^https?:\/\//.test(opts.baseURL)) {
    throw new JudgeConfigError(`rewards.judge.baseURL must be an http(s) URL, got '${String(opts.baseURL)}'`);
  }
  if (typeof opts.model !== 'string' || opts.model.trim() === '') {
    throw new JudgeConfigError('rewards.judge.model must name the judge model');
  }
  const templates: JudgeTemplates = {
    scalar: opts.templates?.scalar ?? DEFAULT_SCALAR_TEMPLATE,
    pairwise: opts.templates?.pairwise ?? DEFAULT_PAIRWISE_TEMPLATE,
    verify: opts.templates?.verify ?? DEFAULT_VERIFY_TEMPLATE,
  };
  for (const mode of ['scalar', 'pairwise', 'verify'] as const) checkTemplate(mode, templates[mode]);
  const scoreRange = opts.scoreRange ?? { min: -5, max: 5 };
  if (!(scoreRange.min < scoreRange.max)) {
    throw new JudgeConfigError(`rewards.judge.scoreRange needs min < max, got [${scoreRange.min}, ${scoreRange.max}]`);
  }
  const mode = opts.mode ?? 'scalar';
  if (!['scalar', 'pairwise', 'verify'].includes(mode)) {
    throw new JudgeConfigError(`rewards.judge.mode must be 'scalar', 'pairwise' or 'verify', got '${mode}'`);
  }
  return {
    baseURL: opts.baseURL,
    model: opts.model,
    mode,
    apiKeyEnv: opts.apiKeyEnv,
    concurrency: positiveInt('concurrency', opts.concurrency ?? 8),
    requestsPerMinute: nonNegative('requestsPerMinute', opts.requestsPerMinute ?? 0),
    timeoutMs: positiveInt('timeoutMs', opts.timeoutMs ?? 60_000),
    retries: nonNegativeInt('retries', opts.retries ?? 3),
    backoffBaseMs: nonNegative('backoffBaseMs', opts.backoffBaseMs ?? 500),
    backoffMaxMs: nonNegative('backoffMaxMs', opts.backoffMaxMs ?? 8_000),
    maxRetryAfterMs: nonNegative('maxRetryAfterMs', opts.maxRetryAfterMs ?? 60_000),
    temperature: nonNegative('temperature', opts.temperature ?? 0),
    maxTokens: positiveInt('maxTokens', opts.maxTokens ?? 1024),
    systemPrompt: opts.systemPrompt,
    templates,
    scoreRange,
    bothOrders: opts.bothOrders ?? true,
    pairwiseCombine: opts.pairwiseCombine ?? 'consistent',
    onOneOrderFailed: opts.onOneOrderFailed ?? 'null',
    cache: opts.cache ?? true,
    cacheDir: opts.cacheDir,
  };
}
