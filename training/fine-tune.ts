/**
 * A chunk of next-token fine-tuning of a held policy (the RFT and continued-pretraining baselines): `steps` single
 * optimiser steps of engine/train/pretrain.ts on `examples`, numbered on from the policy's own step so a chunk resumed
 * elsewhere draws the same batches. `afterStep` runs between steps (a heartbeat, a cancellation check).
 */
import type { Policy } from '../engine/policy.ts';
import type { PromptResponse } from '../engine/train/batch.ts';
import { pretrain } from '../engine/train/pretrain.ts';

export interface FineTuneChunkOptions {
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

export interface FineTuneChunkResult {
  /** The last step's loss. */
  loss: number;
  tokens: number;
}

export async function fineTuneChunk(
  policy: Policy,
  examples: PromptResponse[],
  o: FineTuneChunkOptions,
  afterStep: (done: number) => Promise<void>
): Promise<FineTuneChunkResult> {
  let loss = 0;
  let tokens = 0;
  for (let i = 0; i < o.steps; i++) {
    const m = pretrain(policy.params, policy.config, policy.optimizer, examples, {
      steps: 1,
      startStep: policy.step + i,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      warmupSteps: 0,
      seed: o.seed,
      padId: policy.tokenizer.padId,
    });
    loss = m?.loss ?? loss;
    tokens += m?.tokens ?? 0;
    await afterStep(i + 1);
  }
  policy.step += o.steps;
  return { loss, tokens };
}
