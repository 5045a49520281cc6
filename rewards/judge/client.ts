/**
 * The LLM judge client over an OpenAI-compatible chat-completions API (vLLM, SGLang, llama.cpp server, OpenAI).
 * Every call is bounded (per-attempt timeout, bounded retries) and never throws for runtime failures: the result
 * carries `value: null` plus the failure kind, and the client counts it (SPEC §2: undefined, counted, never a silent 0).
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { ConcurrencyLimiter } from '../concurrency-limiter.ts';
import { backoffDelayMs, retryAfterMs } from './backoff.ts';
import { cacheKey, JudgeCache } from './cache.ts';
import { JudgeConfigError } from './errors.ts';
import { type JudgeOptions, type ResolvedJudgeOptions, resolveJudgeOptions } from './options.ts';
import { combinePairwise, outcomeFor, type PairwiseOutcome } from './pairwise.ts';
import { type Parsed, parsePairwiseVerdict, parseScalarScore, parseVerifyVerdict } from './parse.ts';
import { RequestPacer } from './rate.ts';
import { abortableSleep } from './sleep.ts';
import { fillTemplate, pairwiseSlots } from './templates.ts';

/** Why a judge call produced no value. */
export const JUDGE_FAILURES = [
  'timeout',
  'network',
  'rate-limited',
  'server-error',
  'client-error',
  'bad-response',
  'parse',
  'aborted',
] as const;
export type JudgeFailure = (typeof JUDGE_FAILURES)[number];

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type Completion =
  | { ok: true; content: string; cached: boolean; attempts: number; latencyMs: number }
  | { ok: false; failure: JudgeFailure; message: string; attempts: number; latencyMs: number };

/** One judged value: `value` is null exactly when `failure` is set. */
export interface JudgeResult<T> {
  value: T | null;
  failure?: JudgeFailure;
  /** Human-readable cause of the failure (never contains the API key). */
  reason?: string;
  /** Wall time of the whole judgement including retries and backoff, ms. */
  latencyMs: number;
  /** HTTP requests sent (0 when every reply came from the cache). */
  attempts: number;
  /** True when every reply came from the cache. */
  cached: boolean;
}

export interface PairwiseResult extends JudgeResult<number> {
  /** The policy's outcome with its answer shown as A, then as B; null where that order failed. */
  outcomes: [PairwiseOutcome | null, PairwiseOutcome | null];
}

export interface JudgeStats {
  /** Judgements asked for (a pairwise judgement counts once; its two orders count as two completions). */
  judgements: number;
  /** Chat completions asked for, cached or not. */
  completions: number;
  /** HTTP requests actually sent, including retries. */
  requests: number;
  /** Retries (requests beyond the first per completion). */
  retries: number;
  /** Completions answered from the cache or by joining an identical request already in flight. */
  cacheHits: number;
  /** Replies that could not be appended to the on-disk cache (disk full, permissions); the judgement still counts. */
  cacheWriteErrors: number;
  /** Judgements that ended with a value. */
  succeeded: number;
  /** Judgements that ended undefined, by cause. */
  failures: Record<JudgeFailure, number>;
}

type Attempt =
  | { ok: true; content: string }
  | { ok: false; failure: JudgeFailure; message: string; retryable: boolean; headers?: Headers };

/** Dependencies a test may replace; production uses the defaults. */
export interface JudgeClientDeps {
  /** Environment to read `apiKeyEnv` from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Uniform [0,1) source for backoff jitter. Default Math.random. */
  random?: () => number;
}

export class JudgeClient {
  readonly options: ResolvedJudgeOptions;
  readonly #openai: OpenAI;
  readonly #limiter: ConcurrencyLimiter;
  readonly #pacer: RequestPacer;
  readonly #cache: JudgeCache | null;
  readonly #inflight = new Map<string, Promise<Completion>>();
  readonly #random: () => number;
  readonly #stats: JudgeStats = {
    judgements: 0,
    completions: 0,
    requests: 0,
    retries: 0,
    cacheHits: 0,
    cacheWriteErrors: 0,
    succeeded: 0,
    failures: Object.fromEntries(JUDGE_FAILURES.map((f) => [f, 0])) as Record<JudgeFailure, number>,
  };

  constructor(options: JudgeOptions, deps: JudgeClientDeps = {}) {
    this.options = resolveJudgeOptions(options);
    const env = deps.env ?? process.env;
    let apiKey = 'no-key';
    if (this.options.apiKeyEnv !== undefined) {
      const key = env[this.options.apiKeyEnv];
      if (!key) {
        throw new JudgeConfigError(
          `environment variable ${this.options.apiKeyEnv} (named by rewards.judge.apiKeyEnv) is not set: ` +
            'export it in the worker environment'
        );
      }
      apiKey = key;
    }
    // The SDK's own retries are off: ours count every retry, honour Retry-After with a cap, and cover body timeouts.
    this.#openai = new OpenAI({
      baseURL: this.options.baseURL,
      apiKey,
      maxRetries: 0,
      timeout: this.options.timeoutMs,
      logLevel: 'off',
    });
    this.#limiter = new ConcurrencyLimiter(this.options.concurrency);
    this.#pacer = new RequestPacer(this.options.requestsPerMinute);
    this.#cache = this.options.cache ? new JudgeCache(this.options.cacheDir) : null;
    this.#random = deps.random ?? Math.random;
  }

  /** A snapshot of the counters since construction. */
  stats(): JudgeStats {
    return { ...this.#stats, failures: { ...this.#stats.failures } };
  }

  /** One chat completion with cache, concurrency limit, per-attempt timeout and retries. Never throws. */
  async complete(messages: ChatMessage[], signal?: AbortSignal): Promise<Completion> {
    this.#stats.completions++;
    const o = this.options;
    const key = cacheKey({ model: o.model, messages, temperature: o.temperature, max_tokens: o.maxTokens });
    const started = performance.now();
    const hit = this.#cache ? await this.#cache.get(key) : undefined;
    if (hit !== undefined) {
      this.#stats.cacheHits++;
      return { ok: true, content: hit, cached: true, attempts: 0, latencyMs: performance.now() - started };
    }
    const pending = this.#inflight.get(key);
    if (pending) {
      const shared = await pending;
      if (shared.ok) {
        this.#stats.cacheHits++;
        return { ...shared, cached: true, attempts: 0 };
      }
      // The first caller gave up (its own deadline): that says nothing about this caller's request, so send it.
      if (shared.failure !== 'aborted' || signal?.aborted) return shared;
      return this.complete(messages, signal);
    }
    const run = this.#completeUncached(messages, key, started, signal);
    this.#inflight.set(key, run);
    try {
      return await run;
    } finally {
      this.#inflight.delete(key);
    }
  }

  async #completeUncached(
    messages: ChatMessage[],
    key: string,
    started: number,
    signal?: AbortSignal
  ): Promise<Completion> {
    const o = this.options;
    let attempts = 0;
    for (;;) {
      // Aborted before this attempt, or while the pacer held it back.
      if (signal?.aborted || !(await this.#pacer.wait(signal))) {
        return {
          ok: false,
          failure: 'aborted',
          message: 'aborted by caller',
          attempts,
          latencyMs: performance.now() - started,
        };
      }
      attempts++;
      this.#stats.requests++;
      const a = await this.#limiter.run(() => this.#attempt(messages, signal));
      if (a.ok) {
        try {
          await this.#cache?.set(key, a.content);
        } catch {
          // A full or read-only disk loses the on-disk copy, never the judgement (the memory cache still has it).
          this.#stats.cacheWriteErrors++;
        }
        return { ok: true, content: a.content, cached: false, attempts, latencyMs: performance.now() - started };
      }
      const fail = (failure: JudgeFailure, message: string): Completion => ({
        ok: false,
        failure,
        message,
        attempts,
        latencyMs: performance.now() - started,
      });
      if (!a.retryable || attempts > o.retries) {
        return fail(
          a.failure,
          attempts > o.retries && a.retryable ? `${a.message} (after ${attempts} attempts)` : a.message
        );
      }
      const asked = retryAfterMs(a.headers);
      if (asked !== undefined && asked > o.maxRetryAfterMs) {
        return fail(a.failure, `${a.message}; server asked to retry after ${Math.round(asked)} ms > maxRetryAfterMs`);
      }
      const delay =
        asked ?? backoffDelayMs(attempts - 1, { baseMs: o.backoffBaseMs, maxMs: o.backoffMaxMs }, this.#random);
      this.#stats.retries++;
      if (!(await abortableSleep(delay, signal))) return fail('aborted', 'aborted by caller during backoff');
    }
  }

  async #attempt(messages: ChatMessage[], signal?: AbortSignal): Promise<Attempt> {
    const o = this.options;
    const ac = new AbortController();
    let timedOut = false;
    // The SDK's timeout stops at the response headers; this one also bounds a body that trickles or stalls.
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, o.timeoutMs);
    const onAbort = () => ac.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await this.#openai.chat.completions.create(
        { model: o.model, messages, temperature: o.temperature, max_tokens: o.maxTokens },
        { signal: ac.signal }
      );
      const content: unknown = res?.choices?.[0]?.message?.content;
      if (typeof content !== 'string') {
        return {
          ok: false,
          failure: 'bad-response',
          message: 'reply has no choices[0].message.content',
          retryable: true,
        };
      }
      return { ok: true, content };
    } catch (err) {
      if (timedOut || err instanceof APIConnectionTimeoutError) {
        return { ok: false, failure: 'timeout', message: `no reply within ${o.timeoutMs} ms`, retryable: true };
      }
      if (signal?.aborted || err instanceof APIUserAbortError) {
        return { ok: false, failure: 'aborted', message: 'aborted by caller', retryable: false };
      }
      if (err instanceof APIConnectionError) {
        const cause = (err as { cause?: { message?: string; cause?: { code?: string } } }).cause;
        const detail = cause?.cause?.code ?? cause?.message ?? err.message;
        return { ok: false, failure: 'network', message: `connection failed: ${detail}`, retryable: true };
      }
      if (err instanceof APIError && typeof err.status === 'number') {
        const s = err.status;
        if (s === 429)
          return { ok: false, failure: 'rate-limited', message: err.message, retryable: true, headers: err.headers };
        if (s >= 500 || s === 408 || s === 409) {
          return { ok: false, failure: 'server-error', message: err.message, retryable: true, headers: err.headers };
        }
        return {
          ok: false,
          failure: 'client-error',
          message: `${err.message} (check baseURL, model and key)`,
          retryable: false,
        };
      }
      // A 200 whose body is not JSON (a proxy cut it, a server bug): transient as far as we can tell.
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, failure: 'bad-response', message: `unreadable reply: ${message}`, retryable: true };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  #messages(user: string): ChatMessage[] {
    const sys = this.options.systemPrompt;
    return sys
      ? [
          { role: 'system', content: sys },
          { role: 'user', content: user },
        ]
      : [{ role: 'user', content: user }];
  }

  async #judgeOne<T>(user: string, parse: (c: string) => Parsed<T>, signal?: AbortSignal): Promise<JudgeResult<T>> {
    const c = await this.complete(this.#messages(user), signal);
    if (!c.ok)
      return {
        value: null,
        failure: c.failure,
        reason: c.message,
        latencyMs: c.latencyMs,
        attempts: c.attempts,
        cached: false,
      };
    const p = parse(c.content);
    if (!p.ok)
      return {
        value: null,
        failure: 'parse',
        reason: p.reason,
        latencyMs: c.latencyMs,
        attempts: c.attempts,
        cached: c.cached,
      };
    return { value: p.value, latencyMs: c.latencyMs, attempts: c.attempts, cached: c.cached };
  }

  #count<R extends JudgeResult<unknown>>(r: R): R {
    this.#stats.judgements++;
    if (r.value === null) this.#stats.failures[r.failure ?? 'parse']++;
    else this.#stats.succeeded++;
    return r;
  }

  /** GZ eq. 3: a scalar in `scoreRange` for (question, answer); null when undefined. */
  async scoreScalar(item: { question: string; answer: string }, signal?: AbortSignal): Promise<JudgeResult<number>> {
    const user = fillTemplate(this.options.templates.scalar, { question: item.question, answer: item.answer });
    return this.#count(await this.#judgeOne(user, (c) => parseScalarScore(c, this.options.scoreRange), signal));
  }

  /**
   * OT's writing reward: the policy's answer against a reference, judged in both orders concurrently and combined by
   * `pairwiseCombine` / `onOneOrderFailed` (see pairwise.ts).
   */
  async comparePairwise(
    item: { question: string; answer: string; reference: string },
    signal?: AbortSignal
  ): Promise<PairwiseResult> {
    const t = this.options.templates.pairwise;
    const started = performance.now();
    const skipped: JudgeResult<'A' | 'B' | 'tie'> = { value: null, latencyMs: 0, attempts: 0, cached: true };
    const [first, second] = await Promise.all([
      this.#judgeOne(
        fillTemplate(t, pairwiseSlots(item.question, item.answer, item.reference)),
        parsePairwiseVerdict,
        signal
      ),
      this.options.bothOrders
        ? this.#judgeOne(
            fillTemplate(t, pairwiseSlots(item.question, item.reference, item.answer)),
            parsePairwiseVerdict,
            signal
          )
        : Promise.resolve(skipped),
    ]);
    const outcomes: [PairwiseOutcome | null, PairwiseOutcome | null] = [
      first.value === null ? null : outcomeFor(first.value, 'A'),
      second.value === null ? null : outcomeFor(second.value, 'B'),
    ];
    const { bothOrders, pairwiseCombine, onOneOrderFailed } = this.options;
    const value = bothOrders
      ? combinePairwise(outcomes[0], outcomes[1], pairwiseCombine, onOneOrderFailed)
      : combinePairwise(outcomes[0], null, pairwiseCombine, 'single');
    const failed = first.value === null ? first : bothOrders && second.value === null ? second : null;
    return this.#count({
      value,
      outcomes,
      ...(value === null && failed ? { failure: failed.failure, reason: failed.reason } : {}),
      latencyMs: performance.now() - started,
      attempts: first.attempts + second.attempts,
      cached: first.cached && second.cached,
    });
  }

  /** General-Reasoner's model-based verifier: is `answer` equivalent to `reference` for `question`? */
  async verifyEquivalence(
    item: { question: string; reference: string; answer: string },
    signal?: AbortSignal
  ): Promise<JudgeResult<boolean>> {
    const user = fillTemplate(this.options.templates.verify, item);
    return this.#count(await this.#judgeOne(user, parseVerifyVerdict, signal));
  }
}
