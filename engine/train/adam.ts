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
  private readonly held: OptimizerState;
  /** Whether every parameter has its two moments (fresh zeros are made on first use when not). */
  private complete = false;

  /**
   * `deferMoments`: make the zero moments of parameters `state` lacks on first use of {@link state} rather than
   * now — a policy that only samples never pays for them (twice its weights' memory).
   */
  constructor(
    private readonly params: Params,
    public options: AdamOptions,
    state?: OptimizerState,
    deferMoments = false
  ) {
    if (!(options.learningRate > 0)) throw new Error(`adam: learningRate must be > 0, got ${options.learningRate}`);
    this.held = state ?? { step: 0, moments: new Map() };
    for (const [name, p] of params) {
      for (const suffix of ['m', 'v']) {
        const existing = this.held.moments.get(`${name}.${suffix}`);
        if (existing && existing.shape.join() !== p.shape.join()) {
          throw new Error(`adam state: '${name}.${suffix}' has shape [${existing.shape}], parameter has [${p.shape}]`);
        }
      }
    }
    if (!deferMoments) this.completeMoments();
  }

  /** The step count and both moments of every parameter. */
  get state(): OptimizerState {
    this.completeMoments();
    return this.held;
  }

  private completeMoments(): void {
    if (this.complete) return;
    for (const [name, p] of this.params) {
      for (const suffix of ['m', 'v']) {
        const key = `${name}.${suffix}`;
        if (!this.held.moments.has(key)) this.held.moments.set(key, tf.zerosLike(p));
      }
    }
    this.complete = true;
  }

  /**
   * One update with these gradients (by parameter name; a missing name is a zero gradient). PyTorch's arrangement
   * of the bias corrections, p −= (lr/c1)·m / (√v/√c2 + ε), and the constants as tensors made once per step: one
   * op fewer per parameter than dividing m and v by their corrections, and no scalar uploaded per op.
   */
  apply(grads: Map<string, tf.Tensor>): void {
    const { learningRate: lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 0 } = this.options;
    const step = this.state.step + 1;
    const c = tf.tidy(() => ({
      beta1: tf.scalar(beta1),
      keep1: tf.scalar(1 - beta1),
      beta2: tf.scalar(beta2),
      keep2: tf.scalar(1 - beta2),
      invRootC2: tf.scalar(1 / Math.sqrt(1 - beta2 ** step)),
      epsilon: tf.scalar(epsilon),
      stepSize: tf.scalar(lr / (1 - beta1 ** step)),
      decay: tf.scalar(lr * weightDecay),
    }));
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      const mKey = `${name}.m`;
      const vKey = `${name}.v`;
      // Each stage in its own tidy: one tidy over the whole update would hold all its temporaries the size of the
      // parameter at once (768 MB for a 32 k × 512 embedding).
      const m = tf.tidy(() => this.state.moments.get(mKey)!.mul(c.beta1).add(g.mul(c.keep1)));
      const v = tf.tidy(() => this.state.moments.get(vKey)!.mul(c.beta2).add(g.square().mul(c.keep2)));
      const update = tf.tidy(() => m.div(v.sqrt().mul(c.invRootC2).add(c.epsilon)).mul(c.stepSize));
      tf.tidy(() => {
        const next = p.sub(update);
        p.assign(weightDecay > 0 ? next.sub(p.mul(c.decay)) : next);
      });
      update.dispose();
      this.state.moments.get(mKey)!.dispose();
      this.state.moments.get(vKey)!.dispose();
      this.state.moments.set(mKey, m);
      this.state.moments.set(vKey, v);
    }
    tf.dispose(Object.values(c));
    this.state.step = step;
  }

  dispose(): void {
    for (const t of this.held.moments.values()) t.dispose();
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
