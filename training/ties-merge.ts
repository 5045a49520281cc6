/**
 * TIES-merging (Yadav et al. 2023), the model-merging baseline of Omni-Think §4.3 (SPEC §10): T models fine-tuned
 * from one base θ₀ are merged through their task vectors τ_t = θ_t − θ₀ in three steps —
 *   trim:  keep the top k % of each task vector's entries by magnitude (over the whole flattened vector), zero the rest;
 *   elect: per parameter, the sign γ of the summed trimmed vectors (the sign with more total mass);
 *   disjoint merge: per parameter, the mean of the trimmed entries whose sign agrees with γ (0 when none does);
 * and θ = θ₀ + λ·τ_m. Pure arithmetic on named Float32Arrays so it can be checked by hand and run anywhere.
 */

/** Named parameter tensors, flattened (the layout of a safetensors file, one entry per tensor). */
export type NamedTensors = ReadonlyMap<string, Float32Array>;

export interface TiesOptions {
  /** Fraction of each task vector's entries kept by magnitude, in (0, 1]. Default 0.2 (the paper's k = 20 %). */
  density?: number;
  /** Scale of the merged task vector. Default 1 (Omni-Think). */
  lambda?: number;
}

export const TIES_DEFAULTS = { density: 0.2, lambda: 1 } as const;

export class TiesMergeError extends Error {}

/** θ₀ + λ·τ_m for the given fine-tuned models, each with exactly the base's tensor names and sizes. */
export function tiesMerge(base: NamedTensors, models: readonly NamedTensors[], options: TiesOptions = {}) {
  const density = options.density ?? TIES_DEFAULTS.density;
  const lambda = options.lambda ?? TIES_DEFAULTS.lambda;
  if (!(density > 0 && density <= 1)) throw new TiesMergeError(`density must be in (0, 1], got ${density}`);
  if (!Number.isFinite(lambda)) throw new TiesMergeError(`lambda must be a finite number, got ${lambda}`);
  if (models.length === 0) throw new TiesMergeError('TIES-merging needs at least one fine-tuned model');
  for (const [i, m] of models.entries()) checkSameShape(base, m, i);

  const names = [...base.keys()];
  const trimmed = models.map((m) => trim(taskVector(base, m, names), density));
  const merged = disjointMerge(trimmed);
  const out = new Map<string, Float32Array>();
  let offset = 0;
  for (const name of names) {
    const theta0 = base.get(name) as Float32Array;
    const theta = new Float32Array(theta0.length);
    for (let i = 0; i < theta.length; i++) theta[i] = theta0[i] + lambda * merged[offset + i];
    out.set(name, theta);
    offset += theta0.length;
  }
  return out;
}

function checkSameShape(base: NamedTensors, model: NamedTensors, index: number): void {
  for (const [name, t] of base) {
    const other = model.get(name);
    if (!other) throw new TiesMergeError(`model ${index} has no tensor '${name}' (models must share the base's shape)`);
    if (other.length !== t.length)
      throw new TiesMergeError(`model ${index}: '${name}' has ${other.length} values, the base ${t.length}`);
  }
  for (const name of model.keys())
    if (!base.has(name)) throw new TiesMergeError(`model ${index} has a tensor '${name}' the base lacks`);
}

/** τ = θ − θ₀ flattened in the order of `names`, in float64 so small differences of large weights survive. */
function taskVector(base: NamedTensors, model: NamedTensors, names: readonly string[]): Float64Array {
  const size = names.reduce((n, name) => n + (base.get(name) as Float32Array).length, 0);
  const tau = new Float64Array(size);
  let offset = 0;
  for (const name of names) {
    const theta0 = base.get(name) as Float32Array;
    const theta = model.get(name) as Float32Array;
    for (let i = 0; i < theta0.length; i++) tau[offset + i] = theta[i] - theta0[i];
    offset += theta0.length;
  }
  return tau;
}

/**
 * Keeps the ⌈density·n⌉ entries of largest magnitude (ties at the threshold broken by position, first kept), zeroes
 * the rest. Ties are rare in trained weights, but a deterministic rule keeps a merge reproducible.
 */
export function trim(tau: Float64Array, density: number): Float64Array {
  const keep = Math.ceil(density * tau.length);
  if (keep >= tau.length) return tau.slice();
  const order = new Uint32Array(tau.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => Math.abs(tau[b]) - Math.abs(tau[a]) || a - b);
  const out = new Float64Array(tau.length);
  for (let r = 0; r < keep; r++) out[order[r]] = tau[order[r]];
  return out;
}

/**
 * Elect a sign per parameter by summed mass, then average the entries that agree with it. A parameter whose trimmed
 * entries sum to exactly 0 takes the majority sign over all parameters, as the paper's reference code does
 * (`resolve_zero_signs(…, "majority")`).
 */
export function disjointMerge(trimmed: readonly Float64Array[]): Float64Array {
  const n = trimmed[0]?.length ?? 0;
  const gamma = new Int8Array(n);
  let signSum = 0;
  for (let i = 0; i < n; i++) {
    let mass = 0;
    for (const tau of trimmed) mass += tau[i];
    gamma[i] = Math.sign(mass);
    signSum += gamma[i];
  }
  const majority = Math.sign(signSum);
  const merged = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = gamma[i] === 0 ? majority : gamma[i];
    let sum = 0;
    let count = 0;
    for (const tau of trimmed) {
      if (g !== 0 && Math.sign(tau[i]) === g) {
        sum += tau[i];
        count++;
      }
    }
    merged[i] = count === 0 ? 0 : sum / count;
  }
  return merged;
}
