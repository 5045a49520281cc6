/**
 * The loss and the gradients of every trainable parameter, one decoder layer at a time (activation checkpointing).
 *
 * tfjs's tape keeps every tensor an op saved for its gradient until the whole backward pass ends, and the gradient of
 * every intermediate too (`backpropagateGradients` frees a gradient only when another is added to it): one
 * `tf.variableGrads` over the model holds all layers' activations and all their gradients at once, several GB for a
 * 39 M model on 8 × 256 tokens. Here the forward pass runs without a tape and keeps only each layer's input
 * [B·T, hidden]; the backward pass then differentiates one layer at a time, recomputing that layer's forward from its
 * saved input (one gradient scope per layer), so at most one layer's activations and gradients are alive. The cost is
 * the layers' forward pass run twice. Same ops, same order: the gradients equal one `tf.variableGrads` over the model
 * up to float rounding.
 */
import * as tf from '@tensorflow/tfjs';
import { parameterShapes } from '../model/config.ts';
import { embed } from '../model/ops.ts';
import { param } from '../model/param.ts';
import { decoderLayer, embedIds, finalNorm, trainingLayerInputs } from '../model/transformer.ts';
import type { ModelConfig, Params } from '../types.ts';
import {
  addGradient,
  type GradientPassResult,
  type GradientPassSteps,
  type HeadLoss,
  runToEnd,
} from './gradient-sums.ts';

/**
 * `headLoss` gets the trunk's final-normed hidden rows [B·T, hidden] of `ids` [B][T] (right-padded rows from position
 * 0) and returns the scalar loss; it runs under a gradient tape, so it may use the output head's parameters.
 * Gradients are summed into `into` (gradient accumulation over micro-batches), each added as soon as it exists.
 */
export function layerwiseGradients(
  params: Params,
  config: ModelConfig,
  ids: number[][],
  headLoss: HeadLoss,
  into: Map<string, tf.Tensor> = new Map()
): GradientPassResult {
  return runToEnd(layerwiseGradientSteps(params, config, ids, headLoss, into));
}

/**
 * {@link layerwiseGradients} yielding after each decoder layer's backward (the layer's index): a micro-batch of a
 * large model can take minutes, longer than an activity's heartbeat timeout.
 */
export const layerwiseGradientSteps: GradientPassSteps = function* (params, config, ids, headLoss, into = new Map()) {
  const b = ids.length;
  const t = ids[0]?.length ?? 0;
  if (b === 0 || t === 0) throw new Error('layerwiseGradients: empty batch');
  const trainable = (names: string[]) => names.filter((n) => param(params, n).trainable);
  const layerNames = layerParameterNames(config);
  const inputs = trainingLayerInputs(config, b, t);
  const grads = into;
  const accumulate = (name: string, g: tf.Tensor) => addGradient(grads, name, g);
  const checkpoints: tf.Tensor[] = [];
  // The gradient flowing down the layers; a pass stopped between layers frees it.
  let dx: tf.Tensor | undefined;
  try {
    // Forward without a tape: the input of every layer, and nothing else, survives.
    checkpoints.push(tf.tidy(() => embedIds(params, ids)));
    for (let l = 0; l < config.numLayers; l++) {
      const x = checkpoints[l];
      checkpoints.push(tf.tidy(() => decoderLayer(params, config, l, x, inputs).x));
    }
    const headParams = trainable([
      'model.norm.weight',
      config.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight',
    ]);
    const top = checkpoints.pop()!;
    const head = tf.valueAndGrads((x: tf.Tensor) => headLoss(finalNorm(params, config, x)))([
      top,
      ...headParams.map((n) => param(params, n)),
    ]);
    top.dispose();
    const loss = head.value.dataSync()[0];
    head.value.dispose();
    dx = head.grads[0];
    headParams.forEach((n, i) => {
      accumulate(n, head.grads[i + 1]);
    });
    // Backward, last layer first: recompute the layer from its input under a tape, pass dx down.
    for (let l = config.numLayers - 1; l >= 0; l--) {
      const x = checkpoints.pop()!;
      const names = trainable(layerNames[l]);
      const dy = dx;
      const g = tf.grads((xi: tf.Tensor) => decoderLayer(params, config, l, xi, inputs).x)(
        [x, ...names.map((n) => param(params, n))],
        dy
      );
      x.dispose();
      dy.dispose();
      dx = g[0];
      names.forEach((n, i) => {
        accumulate(n, g[i + 1]);
      });
      yield l;
    }
    if (trainable(['model.embed_tokens.weight']).length > 0) {
      const idsTensor = tf.tensor1d(ids.flat(), 'int32');
      const [gE] = tf.grads((w: tf.Tensor) => embed(w, idsTensor))([param(params, 'model.embed_tokens.weight')], dx);
      idsTensor.dispose();
      accumulate('model.embed_tokens.weight', gE);
    }
    dx.dispose();
    return { loss, grads };
  } finally {
    tf.dispose(checkpoints);
    dx?.dispose();
    tf.dispose([inputs.rotary.cos, inputs.rotary.sin, ...(inputs.mask ? [inputs.mask] : [])]);
  }
};

/** The parameter names of each decoder layer, in checkpoint order. */
function layerParameterNames(config: ModelConfig): string[][] {
  const names = [...parameterShapes(config).keys()];
  return Array.from({ length: config.numLayers }, (_, l) => names.filter((n) => n.startsWith(`model.layers.${l}.`)));
}
