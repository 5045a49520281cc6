/**
 * A reference policy for the difficulty filter (data/reference-policy.ts) served by any OpenAI-compatible
 * chat-completions endpoint (vLLM, SGLang, llama.cpp server), through the `openai` package.
 */
import OpenAI from 'openai';
import { DataInputError } from '../data/errors.ts';
import type { ReferencePolicy, ReferenceSampleOptions } from '../data/reference-policy.ts';
import { ConcurrencyLimiter } from '../rewards/concurrency-limiter.ts';
import { hashSeed, nameHash } from '../rl/random.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';

export interface OpenAIReferencePolicyOptions {
  /** Base URL of the endpoint including `/v1`, e.g. `http://127.0.0.1:8000/v1`. */
  baseURL: string;
  /** Model name sent with each request. */
  model: string;
  /** API key. Default: env OMNI_ZERO_REFERENCE_API_KEY, then OPENAI_API_KEY, then 'none' (local servers ignore it). */
  apiKey?: string;
  /** Sampling temperature. Default 1.0 (GZ's rollout setting). */
  temperature?: number;
  /** Nucleus sampling. Default 1.0. */
  topP?: number;
  /** Longest response, in tokens. Default 2048 (GZ's initial window). */
  maxTokens?: number;
  /** System prompt put before every conversation (the template instructions). Default: none. */
  systemPrompt?: string;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /**
   * Ask for all k samples of a prompt in one request with `n: k` (vLLM, SGLang support it); otherwise k requests,
   * each with its own `seed`. Default false, because not every server honours `n`.
   */
  useN?: boolean;
  /** Per-request timeout. Unit: ms. Default 120000. */
  timeoutMs?: number;
  /** Retries of a failed request (429, 5xx, connection errors), with the client's backoff. Default 2. */
  maxRetries?: number;
}

export class OpenAIReferencePolicy implements ReferencePolicy {
  private readonly client: OpenAI;
  private readonly limiter: ConcurrencyLimiter;

  constructor(private readonly options: OpenAIReferencePolicyOptions) {
    if (!options.baseURL) throw new DataInputError('baseURL', 'give the endpoint URL, e.g. http://127.0.0.1:8000/v1');
    if (!options.model) throw new DataInputError('model', 'give the model name the endpoint serves');
    this.client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? process.env.OMNI_ZERO_REFERENCE_API_KEY ?? process.env.OPENAI_API_KEY ?? 'none',
      timeout: options.timeoutMs ?? 120_000,
      maxRetries: options.maxRetries ?? 2,
    });
    this.limiter = new ConcurrencyLimiter(Math.max(1, options.concurrency ?? 8));
  }

  private messages(row: DatasetRow): OpenAI.Chat.ChatCompletionMessageParam[] {
    return [
      ...(this.options.systemPrompt ? [{ role: 'system' as const, content: this.options.systemPrompt }] : []),
      ...(row.context ?? []).map((m) => ({ role: m.role, content: m.content })),
      { role: 'user' as const, content: row.prompt },
    ];
  }

  private async complete(row: DatasetRow, n: number, seed: number, signal?: AbortSignal): Promise<string[]> {
    const r = await this.limiter.run(() =>
      this.client.chat.completions.create(
        {
          model: this.options.model,
          messages: this.messages(row),
          temperature: this.options.temperature ?? 1.0,
          top_p: this.options.topP ?? 1.0,
          max_tokens: this.options.maxTokens ?? 2048,
          seed,
          ...(n > 1 ? { n } : {}),
        },
        { signal }
      )
    );
    const texts = r.choices.map((c) => c.message?.content ?? '');
    if (texts.length !== n) {
      throw new DataInputError('reference endpoint', `asked for ${n} samples, got ${texts.length}; set useN: false`);
    }
    return texts;
  }

  async sample(prompts: DatasetRow[], k: number, opts: ReferenceSampleOptions): Promise<string[][]> {
    return Promise.all(
      prompts.map(async (row) => {
        const key = nameHash(row.id);
        if (this.options.useN) return this.complete(row, k, hashSeed(opts.seed, key) & 0x7fffffff, opts.signal);
        const draws = Array.from({ length: k }, (_, j) =>
          this.complete(row, 1, hashSeed(opts.seed, key, j) & 0x7fffffff, opts.signal).then((t) => t[0])
        );
        return Promise.all(draws);
      })
    );
  }
}
