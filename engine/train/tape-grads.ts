/**
 * The loss and the gradients of every trainable parameter from one gradient tape over the whole model
 * (`tf.variableGrads`): the forward pass runs once, and the tape keeps every layer's activations, and the gradient
 * of every intermediate, until backward ends. Faster than the layer-wise pass (engine/train/layerwise-grads.ts),
 * which recomputes each layer's forward pass, and several times its memory: engine/train/memory-budget.ts
 * estimates both and chooses.
 */
import * as tf from '@tensorflow/tfjs';
import { forward } from '../model/transformer.ts';
import { addGradient, type GradientPassFunction, type GradientPassSteps } from './gradient-sums.ts';

/** {@link GradientPassFunction} by one `tf.variableGrads` over the trainable parameters. */
export const tapeGradients: GradientPassFunction = (params, config, ids, headLoss, into = new Map()) => {
  if (ids.length === 0 || (ids[0]?.length ?? 0) === 0) throw new Error('tapeGradients: empty batch');
  const trainable = [...params].filter(([, v]) => v.trainable);
  const nameOf = new Map(trainable.map(([name, v]) => [v.name, name]));
  const { value, grads } = tf.variableGrads(
    () => headLoss(forward(params, config, { ids }).hidden.reshape([-1, config.hiddenSize])),
    trainable.map(([, v]) => v)
  );
  const loss = value.dataSync()[0];
  value.dispose();
  for (const [variable, g] of Object.entries(grads)) addGradient(into, nameOf.get(variable)!, g);
  return { loss, grads: into };
};

/** {@link tapeGradients} as a stepped pass: one piece, since the tape's backward cannot be cut. */
// biome-ignore lint/correctness/useYield: the tape has no point to yield at; the type is the passes' shared one
export const tapeGradientSteps: GradientPassSteps = function* (...args) {
  return tapeGradients(...args);
};
