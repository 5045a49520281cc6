/**
 * Batched rollouts: G responses for each of several prompts, generated together with a KV cache.
 *
 * Layout: prompts are left-padded to a common length (the pads are masked keys and positions start at each row's
 * first real token, engine/model/transformer.ts), each prompt is prefilled once and its cache copied to its G rows.
 * Finished rows are dropped from the batch as they stop. Row (prompt p, sample s) draws its uniforms from
 * rl/'s mulberry32(hashSeed(seed, step, promptIndex, sampleIndex)), so its random numbers never depend on batch
 * composition and a retried rollout reproduces the same tokens. (The cross-row numerics can differ in the last bit
 * with a different padding, so "same tokens in another batch" holds except at exact probability ties.)
 */
import * as tf from '@tensorflow/tfjs';
import { hashSeed, mulberry32 } from '../rl/random.ts';
import { checkSamplingOptions, chooseToken, type SamplingOptions } from './logits-processing.ts';
import { disposeFused, type FusedProjections, fuseProjections } from './model/fused.ts';
import { disposeCache, forward, type KvCache, lmHead } from './model/transformer.ts';
import type { ModelConfig, Params, Tokenizer } from './types.ts';

/** Longest the token loop holds the event loop between yields. */
const YIELD_MS = 20;

export type FinishReason = 'eos' | 'stop' | 'length';

export interface GenerateOptions extends SamplingOptions {
  /** Responses per prompt (GRPO's G); default 1. */
  samplesPerPrompt?: number;
  /** Most new tokens per response: the window in force. Required. */
  maxNewTokens: number;
  /** Experiment seed (a whole number); default 0. */
  seed?: number;
  /** RL step (or any caller counter, a whole number) mixed into the seed; default 0. */
  step?: number;
  /** Index of the first prompt in the caller's global numbering (for sharded rollouts); default 0. */
  promptIndexOffset?: number;
  /**
   * A whole-number key per prompt that replaces its index in the row seeds: `hashSeed(seed, step, promptKeys[p], s)`.
   * Gives a prompt the same draws whatever batch it is in and at whatever position (e.g. a hash of the row id).
   * Default: the prompt's index, `promptIndexOffset + p`.
   */
  promptKeys?: readonly number[];
  /**
   * Left-pad every prompt to at least this many tokens. A shard of a batch passes the whole batch's longest prompt,
   * so its rows are padded, and their logits computed, exactly as in the whole batch (the padding changes the last
   * bits of the numerics). Default: the longest prompt given.
   */
  padToLength?: number;
  /** Stop after any of these token sequences (kept in the response), e.g. the encoded closing answer tag. */
  stopSequences?: number[][];
  /** Stop once the decoded response contains any of these strings (kept in the response). */
  stopStrings?: string[];
  /** End-of-sequence id; default the tokenizer's. */
  eosId?: number;
  /** `kv` (default) caches keys/values; `recompute` runs the whole prefix every token (for equality checks). */
  mode?: 'kv' | 'recompute';
  /** Called after every token step with how many tokens each active row has so far (for heartbeats). */
  onStep?: (generated: number) => void;
}

export interface Rollout {
  promptIndex: number;
  sampleIndex: number;
  /** Response token ids, including the EOS or stop sequence that ended it. */
  tokens: number[];
  /** Decoded response without a trailing EOS. */
  text: string;
  /** log-probability of each response token under the distribution it was drawn from. */
  logprobs: number[];
  finishReason: FinishReason;
  /** Cut by the window (`finishReason === 'length'`). */
  truncated: boolean;
}

interface Row {
  promptIndex: number;
  sampleIndex: number;
  prompt: number[];
  padding: number;
  tokens: number[];
  logprobs: number[];
  random: () => number;
  finish?: FinishReason;
}

function endsWith(tokens: number[], seq: number[]): boolean {
  if (seq.length === 0 || seq.length > tokens.length) return false;
  const off = tokens.length - seq.length;
  for (let i = 0; i < seq.length; i++) if (tokens[off + i] !== seq[i]) return false;
  return true;
}

function checkOptions(o: GenerateOptions, config: ModelConfig, prompts: number[][]): void {
  checkSamplingOptions(o);
  if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 1) {
    throw new Error(`generate: maxNewTokens must be a positive integer, got ${o.maxNewTokens}`);
  }
  if (o.padToLength !== undefined && !(Number.isInteger(o.padToLength) && o.padToLength >= 0))
    throw new Error(`generate: padToLength must be a whole number, got ${o.padToLength}`);
  const g = o.samplesPerPrompt ?? 1;
  if (!Number.isInteger(g) || g < 1) throw new Error(`generate: samplesPerPrompt must be a positive integer, got ${g}`);
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new Error(`generate: prompt ${i} is empty (encode at least a BOS token)`);
    for (const id of p) {
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
        throw new Error(`generate: prompt ${i} has token id ${id} outside the vocabulary [0, ${config.vocabSize})`);
      }
    }
  });
}

/** Logits rows [A, V] for the last position of each row, as a host copy. */
function lastLogits(params: Params, config: ModelConfig, hidden: tf.Tensor): Float32Array {
  const t = hidden.shape[1]!;
  const last = tf.tidy(() => lmHead(params, config, hidden.slice([0, t - 1, 0], [-1, 1, -1]).squeeze([1])));
  const data = last.dataSync() as Float32Array;
  last.dispose();
  return data;
}

export async function generate(
  params: Params,
  config: ModelConfig,
  tokenizer: Tokenizer,
  prompts: number[][],
  options: GenerateOptions
): Promise<Rollout[]> {
  checkOptions(options, config, prompts);
  if (prompts.length === 0) return [];
  const fused = fuseProjections(params, config);
  try {
    return await sampleRows(params, config, tokenizer, prompts, options, fused);
  } finally {
    disposeFused(fused);
  }
}

async function sampleRows(
  params: Params,
  config: ModelConfig,
  tokenizer: Tokenizer,
  prompts: number[][],
  options: GenerateOptions,
  fused: FusedProjections
): Promise<Rollout[]> {
  const g = options.samplesPerPrompt ?? 1;
  const seed = options.seed ?? 0;
  const step = options.step ?? 0;
  const eos = options.eosId ?? tokenizer.eosId;
  const stops = (options.stopSequences ?? []).filter((s) => s.length > 0);
  const stopStrings = (options.stopStrings ?? []).filter((s) => s.length > 0);
  // A stop string spans at most its length in tokens when every token decodes to ≥ 1 character; +4 covers
  // byte tokens that only complete a character together.
  const tailTokens = Math.max(0, ...stopStrings.map((s) => s.length)) + 4;
  const promptLen = Math.max(options.padToLength ?? 0, ...prompts.map((p) => p.length));
  const maxNew = Math.min(options.maxNewTokens, config.maxPositions - promptLen);
  if (maxNew < 1)
    throw new Error(`generate: prompts of ${promptLen} tokens leave no room under maxPositions ${config.maxPositions}`);
  const padId = tokenizer.padId;
  const offset = options.promptIndexOffset ?? 0;
  const keys = options.promptKeys;
  if (keys !== undefined && keys.length !== prompts.length)
    throw new Error(`generate: promptKeys has ${keys.length} keys for ${prompts.length} prompts`);

  const rows: Row[] = [];
  prompts.forEach((prompt, p) => {
    for (let s = 0; s < g; s++) {
      rows.push({
        promptIndex: offset + p,
        sampleIndex: s,
        prompt,
        padding: promptLen - prompt.length,
        tokens: [],
        logprobs: [],
        random: mulberry32(hashSeed(seed, step, keys?.[p] ?? offset + p, s)),
      });
    }
  });

  const recompute = options.mode === 'recompute';
  let active = rows.slice();
  let cache: KvCache | undefined;
  let logits: Float32Array;
  const vocab = config.vocabSize;
  const paddedPrompt = (r: Row) => [...new Array(r.padding).fill(padId), ...r.prompt];

  // The whole prefix of every active row through the model, for the next token's logits (no cache).
  const recomputeLogits = (ids: (r: Row) => number[]) => {
    const hidden = tf.tidy(
      () => forward(params, config, { ids: active.map(ids), padding: active.map((r) => r.padding), fused }).hidden
    );
    const out = lastLogits(params, config, hidden);
    hidden.dispose();
    return out;
  };
  if (recompute) {
    logits = recomputeLogits(paddedPrompt);
  } else {
    // Prefill each distinct prompt once, then copy its cache and last logits to its G rows.
    const out = tf.tidy(() => {
      const { hidden, cache: c } = forward(params, config, {
        ids: prompts.map((p) => [...new Array(promptLen - p.length).fill(padId), ...p]),
        padding: prompts.map((p) => promptLen - p.length),
        useCache: true,
        fused,
      });
      const t = hidden.shape[1]!;
      const last = lmHead(params, config, hidden.slice([0, t - 1, 0], [-1, 1, -1]).squeeze([1]));
      const copies = tf.tensor1d(
        rows.map((r) => r.promptIndex - offset),
        'int32'
      );
      return {
        last: tf.gather(last, copies),
        layers: c!.layers.map((layer) => ({ k: tf.gather(layer.k, copies), v: tf.gather(layer.v, copies) })),
      };
    });
    cache = { layers: out.layers, length: promptLen };
    logits = out.last.dataSync() as Float32Array;
    out.last.dispose();
  }

  let lastYield = performance.now();
  try {
    for (let n = 0; n < maxNew; n++) {
      // Choose the next token of every active row from its logits.
      const done: boolean[] = [];
      active.forEach((row, i) => {
        const rowLogits = logits.slice(i * vocab, (i + 1) * vocab);
        const u = row.random();
        const seen = options.repetitionPenalty && options.repetitionPenalty !== 1 ? [...row.prompt, ...row.tokens] : [];
        const { token, logprob } = chooseToken(rowLogits, options, seen, u);
        row.tokens.push(token);
        row.logprobs.push(logprob);
        if (token === eos) row.finish = 'eos';
        else if (stops.some((s) => endsWith(row.tokens, s))) row.finish = 'stop';
        else if (stopStrings.length > 0) {
          const tail = tokenizer.decode(row.tokens.slice(-tailTokens));
          if (stopStrings.some((s) => tail.includes(s))) row.finish = 'stop';
        }
        if (!row.finish && row.tokens.length >= maxNew) row.finish = 'length';
        done.push(row.finish !== undefined);
      });
      options.onStep?.(n + 1);
      // Let timers and I/O run (heartbeats, cancellation, a pipelined scorer in the same process): a long batch
      // otherwise holds the event loop for its whole duration. At most every YIELD_MS, so short steps pay nothing.
      if (performance.now() - lastYield >= YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      const keep = active.map((_, i) => i).filter((i) => !done[i]);
      if (keep.length === 0) break;
      if (keep.length < active.length && cache) {
        const old = cache;
        const idx = tf.tensor1d(keep, 'int32');
        cache = {
          length: old.length,
          layers: old.layers.map((layer) => ({ k: tf.gather(layer.k, idx), v: tf.gather(layer.v, idx) })),
        };
        idx.dispose();
        disposeCache(old);
      }
      active = keep.map((i) => active[i]);
      // One more forward: the new token with the cache, or the whole sequence without.
      if (recompute) {
        logits = recomputeLogits((r) => [...paddedPrompt(r), ...r.tokens]);
      } else {
        const old = cache!;
        const out = tf.tidy(() => {
          const { hidden, cache: c } = forward(params, config, {
            ids: active.map((r) => [r.tokens[r.tokens.length - 1]]),
            padding: active.map((r) => r.padding),
            cache: old,
            useCache: true,
            fused,
          });
          return { last: lmHead(params, config, hidden.squeeze([1])), layers: c!.layers };
        });
        cache = { layers: out.layers, length: old.length + 1 };
        disposeCache(old);
        logits = out.last.dataSync() as Float32Array;
        out.last.dispose();
      }
    }
  } finally {
    disposeCache(cache);
  }

  return rows.map((row) => {
    const finishReason = row.finish ?? 'length';
    const body = finishReason === 'eos' ? row.tokens.slice(0, -1) : row.tokens;
    return {
      promptIndex: row.promptIndex,
      sampleIndex: row.sampleIndex,
      tokens: row.tokens,
      text: tokenizer.decode(body),
      logprobs: row.logprobs,
      finishReason,
      truncated: finishReason === 'length',
    };
  });
}
