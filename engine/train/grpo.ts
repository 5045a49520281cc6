/**
 * The GRPO update of SPEC §4 on TensorFlow.js: per-token PPO-clip with ε_low/ε_high (optional dual clip), the loss
 * aggregations of rl/aggregation.ts as per-token weights over the *whole* mini-batch (so gradient accumulation over
 * micro-batches adds up to the same loss), an optional KL to a frozen reference (k1, k2 or k3, with a β per sample so
 * each task can carry its own β_k, OT MT-GRPO), optional entropy bonus, optional masking of truncated responses,
 * several PPO epochs over the batch, global-norm clipping and Adam. The step metrics are computed by rl/'s reference
 * functions on the same numbers the tensors saw.
 */
import * as tf from '@tensorflow/tfjs';
import { aggregateLoss, type LossAggregationName } from '../../rl/aggregation.ts';
import { K3_CLAMP, KL_ESTIMATORS, type KlEstimatorName } from '../../rl/kl.ts';
import { type ClipRegion, clipFraction, importanceRatio, LOG_RATIO_CLAMP, ppoClipTerm } from '../../rl/policy-loss.ts';
import { GRPO_DEFAULTS } from '../../schemas/experiment/defaults.ts';
import type { ModelConfig, Params } from '../types.ts';
import { type Adam, clipGradients } from './adam.ts';
import { chunks, type PromptResponse, toTokenBatch } from './batch.ts';
import type { GradientPassResult, GradientPassSteps } from './gradient-sums.ts';
import { layerwiseGradientSteps } from './layerwise-grads.ts';
import { scoresOfHidden, scoreTokensNoGrad, type TokenBatch, trunkIds } from './logprobs.ts';
import { defaultMemoryBudget, type GradientCheckpointing, type GradientPass, gradientPlan } from './memory-budget.ts';
import { tapeGradientSteps } from './tape-grads.ts';

export interface GrpoSample extends PromptResponse {
  /** The response's advantage A_i (same for every token; rl/advantages.ts). */
  advantage: number;
  /** log π_old per response token; default: recomputed by this policy before the first optimiser step. */
  oldLogprobs?: number[];
  /** Cut by the window; excluded from the loss when `maskTruncated`. */
  truncated?: boolean;
  /** β of this sample's KL to the reference (its task's β_k); default `options.klCoef`. */
  klCoef?: number;
}

export interface GrpoOptions {
  /** ε_low; default 0.2 (GZ). */
  epsilonLow?: number;
  /** ε_high; default 0.2 (GZ); DAPO's clip-higher uses 0.28. */
  epsilonHigh?: number;
  /** Dual-clip constant c > 1 for A < 0; default null (off, as in the papers). */
  dualClip?: number | null;
  /** Loss aggregation (rl/aggregation.ts); default `token-mean` (GZ). */
  aggregation?: LossAggregationName;
  /** Fixed normaliser L in tokens for `constant-normaliser` / `dr-grpo` (never the window in force). */
  aggregationConstant?: number;
  /** β of the KL to `reference` for samples without their own; default 0 (GZ: no KL, no reference model). */
  klCoef?: number;
  /** Per-token KL estimator (rl/kl.ts); default k3 (OT, verl's low_var_kl). */
  klEstimator?: KlEstimatorName;
  /** Frozen reference policy; required when any sample's β > 0, ignored otherwise. */
  reference?: Params;
  /** Passes over the batch (PPO epochs), each `miniBatches` optimiser steps against the same old log-probs; default 1. */
  epochs?: number;
  /** Entropy bonus coefficient (loss −= c·H); default 0. */
  entropyCoef?: number;
  /** DAPO overlong masking: truncated responses carry no loss; default false (SPEC §5). */
  maskTruncated?: boolean;
  /** Optimiser steps per call (PPO mini-batches, in sample order); default 1 (GZ: mini-batch = batch). */
  miniBatches?: number;
  /**
   * Most sequences per forward/backward (gradient accumulation inside a mini-batch); default the whole mini-batch.
   * Fewer when a micro-batch that size would not fit `memoryBudget`.
   */
  microBatchSize?: number;
  /**
   * Bytes the update's tensors may take at their peak; micro-batches are cut smaller until the estimate
   * (engine/train/memory-budget.ts) fits. Default `defaultMemoryBudget` of the backend: 3 GiB on wasm, half the
   * machine's memory on native TensorFlow.
   */
  memoryBudget?: number;
  /**
   * How gradients are computed (TRL's `gradient_checkpointing`, verl's `enable_gradient_checkpointing`): `true`
   * recomputes each layer's forward pass in backward (engine/train/layerwise-grads.ts: one layer's activations
   * alive), `false` keeps one tape over the whole model (engine/train/tape-grads.ts: no recomputation, all layers'
   * activations alive), `'auto'` (default) takes the tape when its estimate fits a share of `memoryBudget`
   * (engine/train/memory-budget.ts `gradientPlan`). Micro-batches are sized by the chosen pass's estimate.
   */
  gradientCheckpointing?: GradientCheckpointing;
  /** Global gradient-norm clip; default 1.0. Infinity turns it off. */
  maxGradNorm?: number;
  /** Logit temperature for log-probs (match the sampler's); default 1. */
  temperature?: number;
  /** Output-head chunk rows; default engine/train/logprobs.ts `defaultChunkRows` (128 at a 32 k vocabulary). */
  chunkRows?: number;
  /** Pad id for batching; default 0. */
  padId?: number;
}

export interface GrpoStepMetrics {
  /** Mean over mini-batches of the minimised loss (policy + β·KL − c·H). */
  loss: number;
  /** Policy-gradient part of the loss. */
  pgLoss: number;
  /** Clip fractions over scored tokens (rl `clipFraction`). */
  clipFracLow: number;
  clipFracHigh: number;
  clipFrac: number;
  dualClipFrac: number;
  /** k3 estimate of KL(π_θ ‖ π_old), token mean, before each mini-batch's step. */
  approxKl: number;
  /** k3 KL to the reference (token mean, whatever estimator the loss uses), when some β > 0. */
  refKl?: number;
  /** Mean token entropy of π_θ over scored tokens. */
  entropy: number;
  /** Gradient norm before clipping, mean over mini-batches. */
  gradNorm: number;
  /** Scored response tokens, sequences, optimiser steps, truncated responses masked out. */
  tokens: number;
  sequences: number;
  optimizerSteps: number;
  maskedTruncated: number;
}

interface Resolved
  extends Required<Omit<GrpoOptions, 'reference' | 'aggregationConstant' | 'dualClip' | 'chunkRows' | 'memoryBudget'>> {
  reference?: Params;
  memoryBudget: number;
  chunkRows?: number;
  aggregationConstant?: number;
  dualClip: number | null;
}

function resolve(o: GrpoOptions): Resolved {
  const r: Resolved = {
    epsilonLow: o.epsilonLow ?? GRPO_DEFAULTS.clip.low,
    epsilonHigh: o.epsilonHigh ?? GRPO_DEFAULTS.clip.high,
    dualClip: o.dualClip ?? null,
    aggregation: o.aggregation ?? GRPO_DEFAULTS.aggregation,
    aggregationConstant: o.aggregationConstant,
    klCoef: o.klCoef ?? GRPO_DEFAULTS.kl.coef,
    klEstimator: o.klEstimator ?? GRPO_DEFAULTS.kl.estimator,
    reference: o.reference,
    epochs: o.epochs ?? GRPO_DEFAULTS.epochs,
    entropyCoef: o.entropyCoef ?? GRPO_DEFAULTS.entropyCoef,
    maskTruncated: o.maskTruncated ?? GRPO_DEFAULTS.maskTruncated,
    miniBatches: o.miniBatches ?? 1,
    microBatchSize: o.microBatchSize ?? Number.POSITIVE_INFINITY,
    maxGradNorm: o.maxGradNorm ?? GRPO_DEFAULTS.gradClip,
    temperature: o.temperature ?? 1,
    chunkRows: o.chunkRows,
    memoryBudget: o.memoryBudget ?? defaultMemoryBudget(tf.getBackend()),
    gradientCheckpointing: o.gradientCheckpointing ?? GRPO_DEFAULTS.gradientCheckpointing,
    padId: o.padId ?? 0,
  };
  if (!(r.klCoef >= 0)) throw new Error(`grpo: klCoef must be ≥ 0, got ${r.klCoef}`);
  if (!(r.klEstimator in KL_ESTIMATORS))
    throw new Error(`grpo: klEstimator must be k1, k2 or k3, got ${r.klEstimator}`);
  if (!Number.isInteger(r.epochs) || r.epochs < 1)
    throw new Error(`grpo: epochs must be a positive integer, got ${r.epochs}`);
  if (!Number.isInteger(r.miniBatches) || r.miniBatches < 1) {
    throw new Error(`grpo: miniBatches must be a positive integer, got ${r.miniBatches}`);
  }
  if (r.gradientCheckpointing !== 'auto' && typeof r.gradientCheckpointing !== 'boolean') {
    throw new Error(`grpo: gradientCheckpointing must be 'auto', true or false, got ${r.gradientCheckpointing}`);
  }
  if (!(r.microBatchSize >= 1)) throw new Error(`grpo: microBatchSize must be ≥ 1, got ${r.microBatchSize}`);
  return r;
}

/**
 * Per-token weights w_it such that loss = Σ w_it·l_it equals rl `aggregateLoss(mode, l, {mask, globalTokens,
 * globalSequences, constant})` over the whole mini-batch. Every mode is linear in the losses and a token's weight
 * depends only on the batch counts and its sequence's length, so rl/ itself is asked for the weight of one token of
 * a sequence of each length: the modes and their names stay defined in one place.
 */
export function aggregationWeights(
  mode: LossAggregationName,
  mask: number[][],
  constant?: number
): { weights: number[][]; tokens: number; sequences: number } {
  const lengths = mask.map((row) => row.reduce((a, b) => a + (b ? 1 : 0), 0));
  const tokens = lengths.reduce((a, b) => a + b, 0);
  const sequences = lengths.filter((n) => n > 0).length;
  const byLength = new Map<number, number>();
  const weightOf = (len: number): number => {
    if (len === 0) return 0;
    let w = byLength.get(len);
    if (w === undefined) {
      const unit = [Array.from({ length: len }, (_, t) => (t === 0 ? 1 : 0))];
      w = aggregateLoss(mode, unit, { globalTokens: tokens, globalSequences: sequences, constant });
      byLength.set(len, w);
    }
    return w;
  };
  const weights = mask.map((row, i) => row.map((m) => (m ? weightOf(lengths[i]) : 0)));
  return { weights, tokens, sequences };
}

/**
 * The per-token KL of rl/kl.ts on tensors, d = log π_ref − log π_θ: k1 = −d, k2 = ½d², k3 = exp(d) − d − 1 (only k3
 * clamped, as verl). Exported so a property test pins it to rl/'s KL_ESTIMATORS.
 */
export function klTensor(estimator: KlEstimatorName, logprobs: tf.Tensor, ref: tf.Tensor): tf.Tensor {
  if (estimator === 'k1') return logprobs.sub(ref);
  if (estimator === 'k2') return logprobs.sub(ref).square().mul(0.5);
  const d = tf.clipByValue(ref.sub(logprobs), -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP);
  return tf.clipByValue(tf.exp(d).sub(d).sub(1), -K3_CLAMP, K3_CLAMP);
}

/**
 * The loss tensor for one micro-batch: Σ w·(pg + β_i·KL − c·H), β per row (a number is every row's). Exported so
 * tests can check it against rl/.
 */
export function grpoLossTensor(
  logprobs: tf.Tensor,
  entropy: tf.Tensor,
  old: number[][],
  advantages: number[],
  weights: number[][],
  o: {
    epsilonLow: number;
    epsilonHigh: number;
    dualClip: number | null;
    klCoef: number | number[];
    klEstimator?: KlEstimatorName;
    entropyCoef: number;
  },
  ref?: number[][]
): { loss: tf.Tensor; pg: tf.Tensor } {
  const [b, t] = logprobs.shape as [number, number];
  const oldT = tf.tensor2d(old.flat(), [b, t]);
  const adv = tf.tensor2d(advantages, [b, 1]);
  const w = tf.tensor2d(weights.flat(), [b, t]);
  const ratio = tf.exp(tf.clipByValue(logprobs.sub(oldT), -LOG_RATIO_CLAMP, LOG_RATIO_CLAMP));
  const clipped = tf.clipByValue(ratio, 1 - o.epsilonLow, 1 + o.epsilonHigh);
  let perToken = tf.maximum(ratio.mul(adv).neg(), clipped.mul(adv).neg());
  if (o.dualClip !== null) {
    const cap = adv.mul(-o.dualClip);
    perToken = tf.where(adv.less(0).tile([1, t]), tf.minimum(perToken, cap), perToken);
  }
  const pg = perToken.mul(w).sum();
  let loss = pg;
  const betas = typeof o.klCoef === 'number' ? new Array<number>(b).fill(o.klCoef) : o.klCoef;
  if (ref && betas.some((beta) => beta > 0)) {
    const kl = klTensor(o.klEstimator ?? GRPO_DEFAULTS.kl.estimator, logprobs, tf.tensor2d(ref.flat(), [b, t]));
    loss = loss.add(
      kl
        .mul(w)
        .mul(tf.tensor2d(betas, [b, 1]))
        .sum()
    );
  }
  if (o.entropyCoef > 0) loss = loss.sub(entropy.mul(w).sum().mul(o.entropyCoef));
  return { loss, pg };
}

const GRADIENT_PASSES: Record<GradientPass, GradientPassSteps> = {
  tape: tapeGradientSteps,
  layerwise: layerwiseGradientSteps,
};

/**
 * A gradient pass's steps as progress of the update (the micro-batch in hand, and the layer the pass just did); an
 * update stopped early returns the pass too, which frees what it holds.
 */
function* reportingLayers(
  pass: Generator<number, GradientPassResult>,
  progress: () => GrpoProgress
): Generator<GrpoProgress, GradientPassResult> {
  try {
    let step = pass.next();
    while (!step.done) {
      yield { ...progress(), layer: step.value };
      step = pass.next();
    }
    return step.value;
  } finally {
    pass.return(undefined as never);
  }
}

function rowsOf(flat: ArrayLike<number>, b: number, t: number): number[][] {
  return Array.from({ length: b }, (_, r) => Array.from({ length: t }, (_, j) => flat[r * t + j]));
}

/** One micro-batch of the gradient pass: positions in its mini-batch, sample indices, the length it is cut to. */
interface MicroBatch {
  local: number[];
  rows: number[];
  length: number;
}

function microBatchesOf(mini: number[], microSize: number, samples: GrpoSample[]): MicroBatch[] {
  return chunks(mini.length, microSize).map((local) => {
    const rows = local.map((k) => mini[k]);
    // Trim the micro-batch to its own longest sequence: padding costs time in every layer.
    const length = Math.max(2, ...rows.map((i) => samples[i].prompt.length + samples[i].response.length));
    return { local, rows, length };
  });
}

function cutRows<T>(x: T[][], mb: MicroBatch): T[][] {
  return mb.rows.map((i) => x[i].slice(0, mb.length));
}

/**
 * Log-probs of `params` (π_old, or the reference) over the batch layout, without gradients, in exactly the gradient
 * pass's micro-batches (same rows, same cut). A backend whose rounding depends on a matmul's shape (tfjs-node) then
 * gives π_θ and π_old the same bits until the first optimiser step: first ratios exactly 1.
 */
function scoreInMicroBatches(
  params: Params,
  config: ModelConfig,
  full: TokenBatch,
  micro: MicroBatch[],
  o: Resolved
): number[][] {
  const out = full.ids.map((row) => new Array<number>(row.length).fill(0));
  for (const mb of micro) {
    const batch = { ids: cutRows(full.ids, mb), mask: cutRows(full.mask, mb) };
    const { logprobs } = scoreTokensNoGrad(params, config, batch, {
      temperature: o.temperature,
      chunkRows: o.chunkRows,
    });
    mb.rows.forEach((i, r) => {
      out[i].splice(0, mb.length, ...logprobs[r]);
    });
  }
  return out;
}

/** Progress of an update: micro-batches done out of the total (for activity heartbeats). */
export interface GrpoProgress {
  microBatchesDone: number;
  microBatches: number;
  /** Within a micro-batch of the layer-wise pass: the decoder layer whose backward just ended. */
  layer?: number;
}

/** One GRPO update over `samples` (one RL step's batch): `miniBatches` optimiser steps. */
export function grpoUpdate(
  params: Params,
  config: ModelConfig,
  optimizer: Adam,
  samples: GrpoSample[],
  options: GrpoOptions = {}
): GrpoStepMetrics {
  const run = grpoSteps(params, config, optimizer, samples, options);
  let next = run.next();
  while (!next.done) next = run.next();
  return next.value;
}

/**
 * {@link grpoUpdate} that yields to the event loop after every micro-batch, and within one after every layer of the
 * layer-wise pass, and reports progress, so a Temporal activity can heartbeat during a long update (a synchronous
 * update blocks heartbeats until it returns; one micro-batch of a large model can outlast the heartbeat timeout).
 */
export async function grpoUpdateAsync(
  params: Params,
  config: ModelConfig,
  optimizer: Adam,
  samples: GrpoSample[],
  options: GrpoOptions & { onProgress?: (p: GrpoProgress) => void } = {}
): Promise<GrpoStepMetrics> {
  const run = grpoSteps(params, config, optimizer, samples, options);
  try {
    let next = run.next();
    while (!next.done) {
      options.onProgress?.(next.value);
      await new Promise<void>((resolve) => setImmediate(resolve));
      next = run.next();
    }
    return next.value;
  } finally {
    // An update given up (a cancelled attempt) frees the tensors its unfinished micro-batch holds.
    run.return(undefined as never);
  }
}

function* grpoSteps(
  params: Params,
  config: ModelConfig,
  optimizer: Adam,
  samples: GrpoSample[],
  options: GrpoOptions
): Generator<GrpoProgress, GrpoStepMetrics> {
  const o = resolve(options);
  if (samples.length === 0) throw new Error('grpo: no samples to train on');
  const betas = samples.map((s) => s.klCoef ?? o.klCoef);
  samples.forEach((s, i) => {
    if (!Number.isFinite(s.advantage)) throw new Error(`grpo: sample ${i} has a non-finite advantage (${s.advantage})`);
    if (!(betas[i] >= 0)) throw new Error(`grpo: sample ${i} has klCoef ${betas[i]}; it must be ≥ 0`);
    if (s.oldLogprobs && s.oldLogprobs.length !== s.response.length) {
      throw new Error(`grpo: sample ${i} has ${s.oldLogprobs.length} old log-probs for ${s.response.length} tokens`);
    }
  });
  const drop = (i: number) => o.maskTruncated && samples[i].truncated === true;
  const full = toTokenBatch(samples, o.padId, drop);
  const microSize = Number.isFinite(o.microBatchSize) ? o.microBatchSize : samples.length;
  const miniSize = Math.ceil(samples.length / o.miniBatches);
  const miniGroups = chunks(samples.length, miniSize).map((mini) => {
    const lengths = mini.map((i) => samples[i].prompt.length + samples[i].response.length);
    const { pass, rows } = gradientPlan(
      config,
      lengths,
      microSize,
      o.memoryBudget,
      o.gradientCheckpointing,
      o.chunkRows
    );
    return { mini, pass, micro: microBatchesOf(mini, rows, samples) };
  });
  const layout = miniGroups.flatMap((g) => g.micro);
  // Old log-probs in the batch layout: given ones placed at the response positions, else this policy's.
  let old: number[][];
  if (samples.every((s) => s.oldLogprobs)) {
    old = samples.map((s, i) => {
      const row = new Array(full.ids[i].length).fill(0);
      s.oldLogprobs!.forEach((lp, j) => {
        row[s.prompt.length + j] = lp;
      });
      return row;
    });
  } else {
    old = scoreInMicroBatches(params, config, full, layout, o);
  }
  const useKl = betas.some((beta) => beta > 0);
  if (useKl && !o.reference) throw new Error('grpo: klCoef > 0 needs a reference policy (options.reference)');
  const ref = useKl ? scoreInMicroBatches(o.reference!, config, full, layout, o) : undefined;

  const microBatches = o.epochs * layout.length;
  let microBatchesDone = 0;
  const m = {
    loss: 0,
    pg: 0,
    gradNorm: 0,
    steps: 0,
    regions: [] as ClipRegion[],
    approxKl: 0,
    refKl: 0,
    entropy: 0,
    tokens: 0,
    sequences: 0,
  };
  const passes = Array.from({ length: o.epochs }, () => miniGroups).flat();
  // The mini-batch's gradient sums; an update stopped inside one (its generator returned) frees them.
  let grads = new Map<string, tf.Tensor>();
  try {
    for (const { mini, pass, micro } of passes) {
      const { weights, tokens, sequences } = aggregationWeights(
        o.aggregation,
        mini.map((i) => full.mask[i]),
        o.aggregationConstant
      );
      if (tokens === 0) {
        microBatchesDone += micro.length;
        continue;
      }
      grads = new Map<string, tf.Tensor>();
      let miniLoss = 0;
      for (const mb of micro) {
        const { local, rows, length } = mb;
        const batch = { ids: cutRows(full.ids, mb), mask: cutRows(full.mask, mb) };
        const w = local.map((k) => weights[k].slice(0, length));
        const oldRows = cutRows(old, mb);
        const refRows = ref ? cutRows(ref, mb) : undefined;
        let lpHost: Float32Array | undefined;
        let entHost: Float32Array | undefined;
        let pgValue = 0;
        const gradientPass = GRADIENT_PASSES[pass](
          params,
          config,
          trunkIds(batch),
          (hidden) => {
            const { logprobs, entropy } = scoresOfHidden(params, config, hidden, batch, {
              temperature: o.temperature,
              chunkRows: o.chunkRows,
              entropyGradient: o.entropyCoef > 0,
            });
            lpHost = logprobs.dataSync() as Float32Array;
            entHost = entropy.dataSync() as Float32Array;
            const { loss, pg } = grpoLossTensor(
              logprobs,
              entropy,
              oldRows,
              rows.map((i) => samples[i].advantage),
              w,
              { ...o, klCoef: rows.map((i) => betas[i]) },
              refRows
            );
            pgValue = pg.dataSync()[0];
            return loss as tf.Scalar;
          },
          grads
        );
        const { loss } = yield* reportingLayers(gradientPass, () => ({ microBatchesDone, microBatches }));
        miniLoss += loss;
        m.pg += pgValue;
        // Metrics with rl/'s reference functions on the numbers the tensors saw.
        const lp = rowsOf(lpHost!, rows.length, length);
        const ent = rowsOf(entHost!, rows.length, length);
        rows.forEach((i, r) => {
          for (let t = 0; t < length; t++) {
            if (!batch.mask[r][t]) continue;
            const ratio = importanceRatio(lp[r][t], oldRows[r][t]);
            m.regions.push(
              ppoClipTerm(ratio, samples[i].advantage, {
                epsilonLow: o.epsilonLow,
                epsilonHigh: o.epsilonHigh,
                dualClip: o.dualClip,
              }).region
            );
            m.approxKl += KL_ESTIMATORS.k3(lp[r][t], oldRows[r][t]);
            if (refRows) m.refKl += KL_ESTIMATORS.k3(lp[r][t], refRows[r][t]);
            m.entropy += ent[r][t];
          }
        });
        microBatchesDone++;
        yield { microBatchesDone, microBatches };
      }
      m.gradNorm += clipGradients(grads, o.maxGradNorm);
      optimizer.apply(grads);
      for (const g of grads.values()) g.dispose();
      grads.clear();
      m.loss += miniLoss;
      m.steps++;
      m.tokens += tokens;
      m.sequences += sequences;
    }
  } finally {
    for (const g of grads.values()) g.dispose();
  }
  const clip = clipFraction(m.regions);
  const perToken = (x: number) => (m.tokens === 0 ? 0 : x / m.tokens);
  const perStep = (x: number) => (m.steps === 0 ? 0 : x / m.steps);
  return {
    loss: perStep(m.loss),
    pgLoss: perStep(m.pg),
    clipFracLow: clip.low,
    clipFracHigh: clip.high,
    clipFrac: clip.region,
    dualClipFrac: clip.dual,
    approxKl: perToken(m.approxKl),
    refKl: ref ? perToken(m.refKl) : undefined,
    entropy: perToken(m.entropy),
    gradNorm: perStep(m.gradNorm),
    tokens: m.tokens,
    sequences: m.sequences,
    optimizerSteps: m.steps,
    maskedTruncated: samples.filter((_, i) => drop(i)).length,
  };
}

/** The rl/ reference loss for the same numbers (used by tests to pin the tensor loss). */
export function referenceGrpoLoss(
  logprobs: number[][],
  old: number[][],
  advantages: number[],
  mask: number[][],
  o: {
    epsilonLow: number;
    epsilonHigh: number;
    dualClip: number | null;
    aggregation: LossAggregationName;
    constant?: number;
  }
): number {
  const losses = logprobs.map((row, i) =>
    row.map((lp, t) =>
      mask[i][t]
        ? ppoClipTerm(importanceRatio(lp, old[i][t]), advantages[i], {
            epsilonLow: o.epsilonLow,
            epsilonHigh: o.epsilonHigh,
            dualClip: o.dualClip,
          }).loss
        : 0
    )
  );
  return aggregateLoss(o.aggregation, losses, { mask, constant: o.constant });
}
