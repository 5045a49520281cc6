/**
 * Adam (optionally AdamW) with its state in the open, so checkpoints can save and restore it exactly
 * (`tf.train.adam` keeps its moments in private variables with generated names).
 */
import * as tf from '@tensorflow/tfjs';
import type { OptimizerState, Params } from '../types.ts';

export interface AdamOptions {
  /** Learning rate; no default here: it belongs to the model preset (SPEC §4: GZ's 1e-6 is for 14B models). */
  learningRate: number;
  /** First-moment decay; default 0.9. */
  beta1?: number;
  /** Second-moment decay; default 0.999. */
  beta2?: number;
  /** Added to √v̂; default 1e-8. */
  epsilon?: number;
  /** Decoupled weight decay (AdamW), per step as a fraction of lr; default 0. */
  weightDecay?: number;
}

export class Adam {
  readonly state: OptimizerState;

  constructor(
    private readonly params: Params,
    public options: AdamOptions,
    state?: OptimizerState
  ) {
    if (!(options.learningRate > 0)) throw new Error(`adam: learningRate must be > 0, got ${options.learningRate}`);
    this.state = state ?? { step: 0, moments: new Map() };
    for (const [name, p] of params) {
      for (const suffix of ['m', 'v']) {
        const key = `${name}.${suffix}`;
        const existing = this.state.moments.get(key);
        if (existing && existing.shape.join() !== p.shape.join()) {
          throw new Error(`adam state: '${key}' has shape [${existing.shape}], parameter has [${p.shape}]`);
        }
        if (!existing) this.state.moments.set(key, tf.zerosLike(p));
      }
    }
  }

  /** One update with these gradients (by parameter name; a missing name is a zero gradient). */
  apply(grads: Map<string, tf.Tensor>): void {
    const { learningRate: lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0 } = this.options;
    const t = this.state.step + 1;
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      const mKey = `${name}.m`;
      const vKey = `${name}.v`;
      // Each stage in its own tidy: one tidy over the whole update would hold a dozen temporaries the size of the
      // parameter at once (768 MB for a 32 k × 512 embedding).
      const m = tf.tidy(() =>
        this.state.moments
          .get(mKey)!
          .mul(beta1)
          .add(g.mul(1 - beta1))
      );
      const v = tf.tidy(() =>
        this.state.moments
          .get(vKey)!
          .mul(beta2)
          .add(g.square().mul(1 - beta2))
      );
      const step = tf.tidy(() => m.div(c1).div(v.div(c2).sqrt().add(epsilon)).mul(lr));
      tf.tidy(() => {
        const next = p.sub(step);
        p.assign(weightDecay > 0 ? next.sub(p.mul(lr * weightDecay)) : next);
      });
      step.dispose();
      this.state.moments.get(mKey)!.dispose();
      this.state.moments.get(vKey)!.dispose();
      this.state.moments.set(mKey, m);
      this.state.moments.set(vKey, v);
    }
    this.state.step = t;
  }

  dispose(): void {
    for (const t of this.state.moments.values()) t.dispose();
  }
}

/** Global L2 norm of the gradients, and the gradients scaled so that norm is at most `maxNorm` (in place). */
export function clipGradients(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  const squares = tf.tidy(() => tf.addN([...grads.values()].map((g) => g.square().sum())));
  const norm = Math.sqrt(squares.dataSync()[0]);
  squares.dispose();
  if (Number.isFinite(maxNorm) && maxNorm > 0 && norm > maxNorm) {
    const scale = maxNorm / (norm + 1e-6);
    for (const [name, g] of grads) {
      grads.set(name, g.mul(scale));
      g.dispose();
    }
  }
  return norm;
}
