/**
 * Log-probabilities and entropies of given tokens, for the GRPO update and pretraining. The output head runs in
 * chunks of rows with a custom gradient that recomputes each chunk's logits in the backward pass, so a long
 * response never holds the whole [B×T×V] logits (rl-anchors §3.7: that tensor, not the model, is what runs out of
 * memory) — forward or backward, at most one chunk's [rows×V] is alive.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from '../model/ops.ts';
import { forward, headWeight } from '../model/transformer.ts';
import type { ModelConfig, Params } from '../types.ts';

/** Sequences for scoring: `ids[b]` is prompt + response, right-padded; a token counts where `mask` is 1. */
export interface TokenBatch {
  /** Token ids [B][T] (right-padded with any id; padded positions must have mask 0). */
  ids: number[][];
  /** 1 where position t's token is scored as the prediction from position t−1 [B][T]; position 0 must be 0. */
  mask: number[][];
}

/**
 * Logits per output-head chunk (rows × vocabulary) by default: the backward pass holds about a dozen [rows × V]
 * float32 temporaries of its chunk at once, so 2^22 elements (16 MB each) keeps that near 200 MB at any vocabulary.
 */
const HEAD_CHUNK_ELEMENTS = 2 ** 22;

/** Rows of the output head per chunk for a vocabulary, unless the caller sets them. */
export function defaultChunkRows(vocabSize: number): number {
  return Math.max(1, Math.floor(HEAD_CHUNK_ELEMENTS / vocabSize));
}

export interface ScoreOptions {
  /** Rows of the output head per chunk; default {@link defaultChunkRows} (128 rows at a 32 k vocabulary). */
  chunkRows?: number;
  /** Divide logits by this before the softmax (match the sampling temperature, as verl does); default 1. */
  temperature?: number;
  /**
   * Whether a loss may depend on the entropies, so the backward pass carries their gradient; default true. False
   * (a loss of the log-probs alone, e.g. GRPO without an entropy bonus) lets the backward recompute only the
   * softmax: a third of the kernels over each [rows × V] chunk. The entropies are computed either way.
   */
  entropyGradient?: boolean;
}

function swap(x: tf.Tensor): tf.Tensor {
  return x.transpose();
}

/**
 * [N, 2] = (log p(target), entropy) for hidden rows h [N, H], head W [H, V], in chunks of `chunkRows` rows. Backward:
 * with upstream (gL, gE), dz = gL·(onehot − p) − gE·p·(log p + H) (the entropy term is dH/dz_k = −p_k (log p_k + H)),
 * all divided by τ; each chunk's logits are recomputed from the saved hidden rows.
 */
function headScores(
  h: tf.Tensor,
  w: tf.Tensor,
  targets: tf.Tensor,
  temperature: number,
  chunkRows: number,
  entropyGradient: boolean
): tf.Tensor {
  const vocab = w.shape[1]!;
  const n = h.shape[0]!;
  // 1/τ scales the hidden rows, not the logits: H values a row instead of V (H < V in every model here).
  const logits = (hh: tf.Tensor, ww: tf.Tensor) => matMul(temperature === 1 ? hh : hh.mul(1 / temperature), ww);
  const compute = (hh: tf.Tensor, ww: tf.Tensor, targets: tf.Tensor) => {
    const z = logits(hh, ww);
    const lse = tf.logSumExp(z, 1, true);
    const logp = z.sub(lse);
    const p = tf.exp(logp);
    // Built as int32 and cast: the wasm backend's OneHot writes integer bits into a float32 output (1 → 1.4e-45).
    const onehot = tf.oneHot(targets, vocab).toFloat();
    const target = logp.mul(onehot).sum(1);
    const entropy = p.mul(logp).sum(1).neg();
    return { logp, p, onehot, target, entropy };
  };
  const starts = Array.from({ length: Math.ceil(n / chunkRows) }, (_, i) => i * chunkRows);
  const rowsAt = (start: number) => Math.min(chunkRows, n - start);
  // One custom op for all chunks, each chunk in its own tf.tidy: tfjs frees a custom gradient's temporaries, and
  // keeps every gradient an op returns, only when the whole backward pass ends, so per-chunk ops would hold one
  // [H × V] weight gradient per chunk. Here the weight's gradient is one running sum.
  const f = tf.customGrad(((hh: tf.Tensor, ww: tf.Tensor, save: tf.GradSaveFunc) => {
    // Tensors made outside the tape's scope are gone by backward time: keep the targets with save().
    save([hh, ww, targets]);
    const value = tf.tidy(() =>
      tf.concat(
        starts.map((start) =>
          tf.tidy(() => {
            const rows = rowsAt(start);
            const { target, entropy } = compute(hh.slice([start, 0], [rows, -1]), ww, targets.slice(start, rows));
            return tf.stack([target, entropy], 1);
          })
        ),
        0
      )
    );
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sh, sw, st] = saved;
        const swT = swap(sw);
        let dw = tf.zerosLike(sw);
        const dh: tf.Tensor[] = [];
        for (const start of starts) {
          const [dhChunk, dwNext] = tf.tidy(() => {
            const rows = rowsAt(start);
            const hc = sh.slice([start, 0], [rows, -1]);
            // The 1/τ of z = h·W/τ goes on the per-row upstream gradients, [rows × 1], not on dz.
            const [gL, gE] = tf.split(dy.slice([start, 0], [rows, -1]).div(temperature), 2, 1);
            const dz = entropyGradient
              ? entropyAndTargetGrad(compute(hc, sw, st.slice(start, rows)), gL, gE)
              : targetGrad(tf.softmax(logits(hc, sw)), tf.oneHot(st.slice(start, rows), vocab).toFloat(), gL);
            return [matMul(dz, swT), dw.add(matMul(swap(hc), dz))];
          });
          dw.dispose();
          dw = dwNext;
          dh.push(dhChunk);
        }
        swT.dispose();
        const dhAll = tf.concat(dh, 0);
        tf.dispose(dh);
        return [dhAll, dw];
      },
    };
  }) as any) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  return f(h, w);
}

/** d/dz of gL·log p(target) for softmax p and one-hot targets: gL·(onehot − p). */
function targetGrad(p: tf.Tensor, onehot: tf.Tensor, gL: tf.Tensor): tf.Tensor {
  return onehot.sub(p).mul(gL);
}

/** d/dz of gL·log p(target) + gE·H: gL·(onehot − p) − gE·p·(log p + H). */
function entropyAndTargetGrad(
  c: { logp: tf.Tensor; p: tf.Tensor; onehot: tf.Tensor; entropy: tf.Tensor },
  gL: tf.Tensor,
  gE: tf.Tensor
): tf.Tensor {
  return targetGrad(c.p, c.onehot, gL).sub(c.p.mul(c.logp.add(c.entropy.expandDims(1))).mul(gE));
}

/**
 * Per-token log-probabilities and entropies [B, T] (differentiable w.r.t. the parameters; position t holds the
 * score of ids[t] given ids[<t]; unmasked positions hold garbage and must be masked by the caller).
 */
export function scoreTokens(
  params: Params,
  config: ModelConfig,
  batch: TokenBatch,
  options: ScoreOptions = {}
): { logprobs: tf.Tensor; entropy: tf.Tensor } {
  // Predict ids[1..T-1] from positions 0..T-2; position 0 has nothing to predict.
  const { hidden } = forward(params, config, { ids: trunkIds(batch) });
  return scoresOfHidden(params, config, hidden.reshape([-1, config.hiddenSize]), batch, options);
}

/** The rows the trunk reads to score `batch`: each row without its last token (nothing is predicted from it). */
export function trunkIds(batch: TokenBatch): number[][] {
  if ((batch.ids[0]?.length ?? 0) < 2) {
    throw new Error('scoreTokens: sequences need at least 2 tokens (a prompt token and a scored token)');
  }
  return batch.ids.map((row) => row.slice(0, -1));
}

/**
 * {@link scoreTokens} from the trunk's final-normed hidden rows [B·(T−1), hidden] of {@link trunkIds}: the output
 * head in chunks of rows, each a custom-gradient op that recomputes its logits in the backward pass.
 */
export function scoresOfHidden(
  params: Params,
  config: ModelConfig,
  h: tf.Tensor,
  batch: TokenBatch,
  options: ScoreOptions = {}
): { logprobs: tf.Tensor; entropy: tf.Tensor } {
  const b = batch.ids.length;
  const t = batch.ids[0].length;
  const chunkRows = options.chunkRows ?? defaultChunkRows(config.vocabSize);
  const temperature = options.temperature ?? 1;
  const w = headWeight(params, config);
  const targetIds = batch.ids.flatMap((row) => row.slice(1));
  const targets = tf.tensor1d(targetIds, 'int32');
  const scores = headScores(h, w, targets, temperature, chunkRows, options.entropyGradient ?? true).reshape([
    b,
    t - 1,
    2,
  ]);
  const [lp, ent] = tf.split(scores, 2, 2);
  const zero = tf.zeros([b, 1]);
  return {
    logprobs: tf.concat([zero, lp.reshape([b, t - 1])], 1),
    entropy: tf.concat([zero, ent.reshape([b, t - 1])], 1),
  };
}

/** Host copies of {@link scoreTokens} (no gradient), e.g. old or reference log-probs. */
export function scoreTokensNoGrad(
  params: Params,
  config: ModelConfig,
  batch: TokenBatch,
  options: ScoreOptions = {}
): { logprobs: number[][]; entropy: number[][] } {
  const [lp, ent] = tf.tidy(() => {
    const s = scoreTokens(params, config, batch, options);
    return [s.logprobs, s.entropy];
  });
  const t = batch.ids[0].length;
  const toRows = (x: tf.Tensor) => {
    const flat = x.dataSync();
    x.dispose();
    return batch.ids.map((_, r) => Array.from(flat.subarray(r * t, (r + 1) * t)));
  };
  return { logprobs: toRows(lp), entropy: toRows(ent) };
}
