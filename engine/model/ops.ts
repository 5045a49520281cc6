/**
 * The few tensor operations the model is built from, each shaped so the wasm backend can train it (tfjs-probe
 * "What failed"): matmuls whose gradients use materialised transposes, an embedding whose gradient is a scatter-add
 * instead of gather's missing gradient kernel, and 4-D transposes only.
 */
import * as tf from '@tensorflow/tfjs';

function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return tf.transpose(x, perm);
}

const matMulWithGrad = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [
        tf.matMul(dy as tf.Tensor2D, swapLastTwo(sb) as tf.Tensor2D),
        tf.matMul(swapLastTwo(sa) as tf.Tensor2D, dy as tf.Tensor2D),
      ];
    },
  };
}) as any) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * `a @ b` (same rank ≥ 2, equal batch dims). tfjs's own gradient calls matMul with transpose flags, which are
 * 10–25× slower on wasm than an explicit transpose followed by a plain matmul (probe: Adam step 650 ms → 112 ms), so
 * on wasm and cpu the gradient materialises the transposes. Native TensorFlow handles the flags well and the extra
 * transposes cost it time (docs/BENCHMARKS.md, native vs wasm: 16.6 vs 42.4 ms per MLP step), so there the built-in
 * gradient runs. Outside a gradient tape (sampling) the plain kernel runs directly: same numbers, one scope fewer.
 */
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (tf.engine().isTapeOn() && tf.getBackend() !== 'tensorflow') return matMulWithGrad(a, b);
  return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D);
}

/**
 * Whether the backend runs matmuls with a transposed operand (by flag) at full speed: native TensorFlow does, and
 * then the flag spares a materialised transpose; wasm's flagged kernels are the slow path {@link matMul} avoids.
 */
export function transposeFlagsAreFast(): boolean {
  return tf.getBackend() === 'tensorflow';
}

/** `a @ bᵀ` over the last two axes: by flag where that is fast, else through an explicit transpose. */
export function matMulTransposeB(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (transposeFlagsAreFast()) return tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, false, true);
  return matMul(a, swapLastTwo(b));
}

/** `x @ w (+ bias)` over the last axis of x, w stored [in, out] (engine/types.ts). */
export function linear(x: tf.Tensor, w: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const inDim = w.shape[0]!;
  const outDim = w.shape[1]!;
  const lead = x.shape.slice(0, -1) as number[];
  let y = matMul(x.reshape([-1, inDim]), w);
  if (bias) y = y.add(bias);
  return y.reshape([...lead, outDim]);
}

/**
 * Rows of the embedding matrix. Forward is a gather; the gradient is a scatter-add (ScatterNd accumulates
 * duplicate ids), O(tokens × hidden) instead of a one-hot matmul's O(tokens × vocab × hidden).
 */
export function embed(weight: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const flat = ids.reshape([-1]).toInt();
  const hidden = weight.shape[1]!;
  if (!tf.engine().isTapeOn()) return tf.gather(weight, flat).reshape([...(ids.shape as number[]), hidden]);
  const lookup = tf.customGrad(((w: tf.Tensor, save: tf.GradSaveFunc) => {
    save([flat]);
    return {
      value: tf.gather(w, flat),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.scatterND(saved[0].expandDims(1), dy, w.shape)],
    };
  }) as any) as (w: tf.Tensor) => tf.Tensor;
  return lookup(weight).reshape([...(ids.shape as number[]), hidden]);
}

/** RMSNorm over the last axis (Qwen2RMSNorm): x / sqrt(mean(x²) + eps) · w. */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  if (tf.engine().isTapeOn()) return rmsNormWithGrad(eps)(x, weight);
  return x.mul(tf.rsqrt(x.square().mean(-1, true).add(eps))).mul(weight);
}

/** One custom-gradient RMSNorm per ε: a custom gradient's inputs are tensors only, so ε is closed over. */
const rmsNormOps = new Map<number, (x: tf.Tensor, w: tf.Tensor) => tf.Tensor>();

/**
 * RMSNorm whose backward is the closed form, with n = x·r, r = 1/√(mean(x²) + ε), g = dy·w:
 * dx = r·(g − n·mean(g·n)), dw = Σ dy·n over the rows. Six kernels where the chain rule through square, mean,
 * rsqrt and two products takes about twice as many, each over the whole activation. The forward is the plain one,
 * op for op, so a pass under a tape gives the same bits as one without.
 */
function rmsNormWithGrad(eps: number): (x: tf.Tensor, w: tf.Tensor) => tf.Tensor {
  const known = rmsNormOps.get(eps);
  if (known) return known;
  const op = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    const r = tf.rsqrt(x.square().mean(-1, true).add(eps));
    const n = x.mul(r);
    save([n, r, w]);
    return {
      value: n.mul(w),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sn, sr, sw] = saved;
        const g = dy.mul(sw);
        const dx = g.sub(sn.mul(g.mul(sn).mean(-1, true))).mul(sr);
        const dw = dy.mul(sn).reshape([-1, sw.shape[0]!]).sum(0);
        return [dx, dw];
      },
    };
  }) as any) as (x: tf.Tensor, w: tf.Tensor) => tf.Tensor;
  rmsNormOps.set(eps, op);
  return op;
}

export function silu(x: tf.Tensor): tf.Tensor {
  return x.mul(tf.sigmoid(x));
}

/**
 * SwiGLU's gating, silu(gate)·up, with the closed-form backward under a tape: with s = σ(gate), a = gate·s,
 * d up = dy·a and d gate = dy·up·(s + a·(1 − s)): six kernels over the MLP's widest activation where the chain rule
 * takes ten. The forward is {@link silu} then the product, op for op.
 */
export function swiglu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  if (!tf.engine().isTapeOn()) return silu(gate).mul(up);
  return swigluWithGrad(gate, up);
}

const swigluWithGrad = tf.customGrad(((gate: tf.Tensor, up: tf.Tensor, save: tf.GradSaveFunc) => {
  const s = tf.sigmoid(gate);
  const a = gate.mul(s);
  save([up, s, a]);
  return {
    value: a.mul(up),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [su, ss, sa] = saved;
      const slope = ss.add(sa.mul(tf.sub(1, ss)));
      return [dy.mul(su).mul(slope), dy.mul(sa)];
    },
  };
}) as any) as (gate: tf.Tensor, up: tf.Tensor) => tf.Tensor;

/** Calls `write(row, cos, sin)` for each token's angles (row = r·T + j), in float64 from the integer position. */
function eachRotaryRow(
  positions: number[][],
  headDim: number,
  theta: number,
  write: (row: number, cos: Float64Array, sin: Float64Array) => void
): void {
  const half = headDim / 2;
  const invFreq = Array.from({ length: half }, (_, i) => 1 / theta ** ((2 * i) / headDim));
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  const t = positions[0]?.length ?? 0;
  positions.forEach((row, r) => {
    for (let j = 0; j < t; j++) {
      for (let i = 0; i < half; i++) {
        const angle = row[j] * invFreq[i];
        cos[i] = Math.cos(angle);
        sin[i] = Math.sin(angle);
      }
      write(r * t + j, cos, sin);
    }
  });
}

/**
 * cos and sin tables [B, 1, T, headDim] for per-row positions, in the HF layout (frequencies repeated, not
 * interleaved). Built in float64 from the integer position, so the cached and the recomputed paths see the same bits.
 */
export function rotaryTables(
  positions: number[][],
  headDim: number,
  theta: number
): { cos: tf.Tensor; sin: tf.Tensor } {
  const b = positions.length;
  const t = positions[0]?.length ?? 0;
  const half = headDim / 2;
  const cos = new Float32Array(b * t * headDim);
  const sin = new Float32Array(b * t * headDim);
  eachRotaryRow(positions, headDim, theta, (row, c, s) => {
    const base = row * headDim;
    for (let i = 0; i < half; i++) {
      cos[base + i] = cos[base + i + half] = c[i];
      sin[base + i] = sin[base + i + half] = s[i];
    }
  });
  return { cos: tf.tensor4d(cos, [b, 1, t, headDim]), sin: tf.tensor4d(sin, [b, 1, t, headDim]) };
}

/**
 * The same tables for projected rows [B·T, heads·headDim]: repeated per head, head h's multiplied by `headScales[h]`
 * (in float64, rounded once), sin negated on each head's first half (rotate_half's signs), so a rotation over all
 * heads is x·cos + x[:, rotateHalfSource]·sin on the flat rows.
 */
export function flatRotaryTables(positions: number[][], headDim: number, theta: number, headScales: number[]): Rotary {
  const rows = positions.length * (positions[0]?.length ?? 0);
  const width = headScales.length * headDim;
  const half = headDim / 2;
  const cos = new Float32Array(rows * width);
  const sin = new Float32Array(rows * width);
  eachRotaryRow(positions, headDim, theta, (row, c, s) => {
    headScales.forEach((scale, h) => {
      const base = row * width + h * headDim;
      for (let i = 0; i < half; i++) {
        cos[base + i] = cos[base + i + half] = c[i] * scale;
        sin[base + i] = -s[i] * scale;
        sin[base + i + half] = s[i] * scale;
      }
    });
  });
  return { cos: tf.tensor2d(cos, [rows, width]), sin: tf.tensor2d(sin, [rows, width]) };
}

/**
 * Projected rows [B·T, n·D] as heads [B, n, T, D]. With one new token (cached decoding) the transpose would move no
 * data: a reshape alone, one op fewer per step.
 */
export function toHeads(y: tf.Tensor, b: number, t: number, n: number, d: number): tf.Tensor {
  return t === 1 ? y.reshape([b, n, 1, d]) : y.reshape([b, t, n, d]).transpose([0, 2, 1, 3]);
}

/** cos and sin tables of {@link rotaryTables}. */
export interface Rotary {
  cos: tf.Tensor;
  sin: tf.Tensor;
}

/** Queries [B, H, T, D], keys and values [B, kvH, T, D] of one layer, q and k normed and rotated. */
export interface AttentionInputs {
  q: tf.Tensor;
  k: tf.Tensor;
  v: tf.Tensor;
  /** The queries already carry the attention scale 1/√D. */
  scaled?: boolean;
}

/** HF `apply_rotary_pos_emb` for x [B, heads, T, D]: x·cos + rotate_half(x)·sin. */
export function applyRotary(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor): tf.Tensor {
  return x.mul(cos).add(rotateHalf(x).mul(sin));
}

/** [−x₂, x₁] of x [.., D] split in halves on its last axis. */
function rotateHalf(x: tf.Tensor): tf.Tensor {
  if (transposeFlagsAreFast()) {
    // One matmul by a signed permutation instead of split, neg and concat (and one instead of four kernels in the
    // backward). Each output is one input times ±1 plus exact zeros, so the bits are the same.
    const d = x.shape.at(-1)!;
    return tf.matMul(x.reshape([-1, d]) as tf.Tensor2D, rotateHalfMatrix(d)).reshape(x.shape);
  }
  const [x1, x2] = tf.split(x, 2, -1);
  return tf.concat([tf.neg(x2), x1], -1);
}

/**
 * P [D, D] with x·P = rotate_half(x): P[j + D/2, j] = −1 and P[j, j + D/2] = 1 for j < D/2. Made per call (D² floats,
 * freed with the caller's scope) rather than kept, so no tensor outlives the pass.
 */
function rotateHalfMatrix(d: number): tf.Tensor2D {
  const values = new Float32Array(d * d);
  const half = d / 2;
  for (let j = 0; j < half; j++) {
    values[(j + half) * d + j] = -1;
    values[j * d + j + half] = 1;
  }
  return tf.tensor2d(values, [d, d]);
}
