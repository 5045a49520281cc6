/**
 * Batched rollouts: G responses for each of several prompts, generated together with a KV cache.
 *
 * Layout: prompts are left-padded to a common length (the pads are masked keys and positions start at each row's
 * first real token, engine/model/transformer.ts), each prompt is prefilled once and its cache copied to its G rows.
 * Finished rows are dropped from the batch as they stop and, with `batchRows`, queued rows take their place
 * (continuous batching, engine/kv-batch.ts). Row (prompt p, sample s) draws its uniforms from
 * rl/'s mulberry32(hashSeed(seed, step, promptIndex, sampleIndex)), so its random numbers never depend on batch
 * composition and a retried rollout reproduces the same tokens. (The cross-row numerics can differ in the last bit
 * with a different padding, so "same tokens in another batch" holds except at exact probability ties.)
 */
import * as tf from '@tensorflow/tfjs';
import { hashSeed, mulberry32 } from '../rl/random.ts';
import {
  type Batch,
  type BatchModel,
  type BatchRow,
  decodeStep,
  hostLogits,
  join,
  keepRows,
  prefill,
  trimPadding,
} from './kv-batch.ts';
import { checkSamplingOptions, chooseFromRow, type RowLogits, type SamplingOptions } from './logits-processing.ts';
import { disposeFused, type FusedProjections, fuseProjections } from './model/fused.ts';
import { disposeCache, forward, lmHead } from './model/transformer.ts';
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
  /**
   * Most rows decoding at once (continuous batching): when a row finishes, a queued row is prefilled and takes its
   * place, so a rollout's time follows the mean response length rather than the longest. Rows are seeded by prompt
   * key, so they draw the same tokens as in one batch (engine/kv-batch.ts on the numerics). KV mode only. Default:
   * every row at once.
   */
  batchRows?: number;
  /** Called after every token step with the steps so far (in one static batch: each active row's length). */
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

interface Row extends BatchRow {
  promptIndex: number;
  sampleIndex: number;
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
  if (o.batchRows !== undefined && !(Number.isInteger(o.batchRows) && o.batchRows >= 1))
    throw new Error(`generate: batchRows must be a positive integer, got ${o.batchRows}`);
  if (o.batchRows !== undefined && o.mode === 'recompute')
    throw new Error('generate: batchRows needs the KV cache; drop it or mode: "recompute"');
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

/** Logits of the last position of each row, on the host. */
function lastLogits(params: Params, config: ModelConfig, hidden: tf.Tensor, sampling: SamplingOptions): RowLogits[] {
  const t = hidden.shape[1]!;
  return hostLogits(
    tf.tidy(() => lmHead(params, config, hidden.slice([0, t - 1, 0], [-1, 1, -1]).squeeze([1]))),
    sampling
  );
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
        promptSlot: p,
        sampleIndex: s,
        prompt,
        padding: promptLen - prompt.length,
        staticPadding: promptLen - prompt.length,
        tokens: [],
        logprobs: [],
        random: mulberry32(hashSeed(seed, step, keys?.[p] ?? offset + p, s)),
      });
    }
  });

  const model: BatchModel = { params, config, fused, padId, promptLength: promptLen, sampling: options };
  const batchRows = Math.min(options.batchRows ?? rows.length, rows.length);
  const queue = rows.slice(batchRows);
  const paddedPrompt = (r: Row) => [...new Array(r.padding).fill(padId), ...r.prompt];
  // The whole prefix of every row through the model, for the next token's logits (no cache).
  const recomputeLogits = (active: Row[], ids: (r: Row) => number[]) => {
    const hidden = tf.tidy(
      () => forward(params, config, { ids: active.map(ids), padding: active.map((r) => r.padding), fused }).hidden
    );
    const out = lastLogits(params, config, hidden, options);
    hidden.dispose();
    return out;
  };
  // The batch after its finished rows left: one more token for the others, and queued rows joining in their place.
  const advance =
    options.mode === 'recompute'
      ? (b: Batch<Row>): Batch<Row> => ({
          rows: b.rows,
          logits: recomputeLogits(b.rows, (r) => [...paddedPrompt(r), ...r.tokens]),
        })
      : (b: Batch<Row>): Batch<Row> => {
          const running = b.rows.length > 0 ? decodeStep(model, b) : b;
          const joining = queue.splice(0, batchRows - running.rows.length);
          return trimPadding(joining.length > 0 ? join(running, prefill(model, prompts, joining)) : running);
        };
  const first = rows.slice(0, batchRows);
  let batch: Batch<Row> =
    options.mode === 'recompute'
      ? { rows: first, logits: recomputeLogits(first, paddedPrompt) }
      : prefill(model, prompts, first);

  let lastYield = performance.now();
  try {
    for (let n = 1; batch.rows.length > 0; n++) {
      // Choose the next token of every row in the batch from its logits.
      const done = batch.rows.map((row, i) => {
        const u = row.random();
        const seen = options.repetitionPenalty && options.repetitionPenalty !== 1 ? [...row.prompt, ...row.tokens] : [];
        const { token, logprob } = chooseFromRow(batch.logits[i], options, seen, u);
        row.tokens.push(token);
        row.logprobs.push(logprob);
        if (token === eos) row.finish = 'eos';
        else if (stops.some((s) => endsWith(row.tokens, s))) row.finish = 'stop';
        else if (stopStrings.length > 0) {
          const tail = tokenizer.decode(row.tokens.slice(-tailTokens));
          if (stopStrings.some((s) => tail.includes(s))) row.finish = 'stop';
        }
        if (!row.finish && row.tokens.length >= maxNew) row.finish = 'length';
        return row.finish !== undefined;
      });
      options.onStep?.(n);
      // Let timers and I/O run (heartbeats, cancellation, a pipelined scorer in the same process): a long batch
      // otherwise holds the event loop for its whole duration. At most every YIELD_MS, so short steps pay nothing.
      if (performance.now() - lastYield >= YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      const keep = batch.rows.map((_, i) => i).filter((i) => !done[i]);
      batch = keepRows(batch, keep);
      if (batch.rows.length > 0 || queue.length > 0) batch = advance(batch);
    }
  } finally {
    disposeCache(batch.cache);
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
