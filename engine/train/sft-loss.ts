/**
 * The supervised fine-tuning objective (OT eq. 1, −log π_θ(y | x)) as next-token cross-entropy over the response
 * tokens only: the prompt is context, never a target. Token-mean over the batch, so a long response weighs by its
 * length, as in pretraining. Shared by pretraining, continued pretraining and rejection-sampling fine-tuning.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig, Params } from '../types.ts';
import { scoreTokens, type TokenBatch } from './logprobs.ts';

/** −Σ mask·log p / Σ mask: the mean negative log-likelihood of the masked-in tokens (nats). */
export function maskedTokenNll(logprobs: tf.Tensor, mask: number[][]): tf.Scalar {
  const tokens = mask.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0);
  if (tokens === 0) throw new Error('sft loss: no scored tokens (every response empty, or every row masked)');
  return tf.tidy(() => logprobs.mul(tf.tensor2d(mask)).sum().div(-tokens) as tf.Scalar);
}

/** The SFT loss of a right-padded prompt+response batch whose mask covers the response tokens (batch.ts). */
export function sftLoss(params: Params, config: ModelConfig, batch: TokenBatch): tf.Scalar {
  return tf.tidy(() => maskedTokenNll(scoreTokens(params, config, batch).logprobs, batch.mask));
}
