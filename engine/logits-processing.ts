/**
 * Turning one row of logits into a token, in plain JS over a Float32Array, in the order Hugging Face `generate`
 * applies its processors: repetition penalty → temperature → top-k → top-p, then one inverse-CDF draw from the
 * row's own keyed uniform stream. With top-k over a wide vocabulary the backend can send only the k + 1 largest
 * logits of a row ({@link candidateCount}); the choice from them is the choice from the whole row.
 */

export interface SamplingOptions {
  /** Softmax temperature; default 1 (GZ rollouts). Ignored when `greedy`. */
  temperature?: number;
  /** Nucleus: keep the most likely tokens until their mass reaches topP; default 1 (off). */
  topP?: number;
  /** Keep only the k most likely tokens; default 0 (off). */
  topK?: number;
  /** CTRL/HF repetition penalty over prompt and response tokens: >0 logits divided, <0 multiplied; default 1 (off). */
  repetitionPenalty?: number;
  /** Arg-max instead of sampling; default false. */
  greedy?: boolean;
}

export interface Choice {
  token: number;
  /** log-probability of the token under the distribution it was drawn from (after every processor). */
  logprob: number;
}

export function checkSamplingOptions(o: SamplingOptions): void {
  const t = o.temperature ?? 1;
  if (!(t > 0) || !Number.isFinite(t)) throw new Error(`sampling: temperature must be > 0, got ${o.temperature}`);
  const p = o.topP ?? 1;
  if (!(p > 0 && p <= 1)) throw new Error(`sampling: topP must be in (0, 1], got ${o.topP}`);
  const k = o.topK ?? 0;
  if (!Number.isInteger(k) || k < 0) throw new Error(`sampling: topK must be an integer ≥ 0, got ${o.topK}`);
  const r = o.repetitionPenalty ?? 1;
  if (!(r > 0) || !Number.isFinite(r))
    throw new Error(`sampling: repetitionPenalty must be > 0, got ${o.repetitionPenalty}`);
}

/**
 * Largest k that {@link topKIds} selects instead of a full sort: its insertions cost O(k) each. Below it, selection
 * spares top-k sampling a sort of the whole vocabulary for every row and token, which outweighs a small model's step.
 */
const MAX_SELECT = 1024;

/**
 * The first k ids of the full sort by descending logit, ties by ascending id, found in one pass over the vocabulary:
 * a sorted list of the best k so far, which a later id enters only with a strictly higher logit than the worst kept
 * (on a tie the earlier id wins, as in the sort).
 */
export function topKIds(logits: Float32Array, k: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    const z = logits[i];
    if (ids.length === k) {
      if (!(z > logits[ids[k - 1]])) continue;
      ids.pop();
    }
    // After every kept id with a logit ≥ z: equal logits keep id order because i exceeds every kept id.
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (logits[ids[mid]] >= z) lo = mid + 1;
      else hi = mid;
    }
    ids.splice(lo, 0, i);
  }
  return ids;
}

/**
 * Chooses a token from `logits` (modified in place). `seen` are the token ids the repetition penalty applies to;
 * `uniform` is one draw in [0, 1). Greedy reports the log-softmax of the penalised logits at temperature 1.
 */
export function chooseToken(logits: Float32Array, o: SamplingOptions, seen: Iterable<number>, uniform: number): Choice {
  const v = logits.length;
  const penalty = o.repetitionPenalty ?? 1;
  if (penalty !== 1) {
    for (const id of new Set(seen)) {
      if (id >= 0 && id < v) logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
    }
  }
  const temperature = o.greedy ? 1 : (o.temperature ?? 1);
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < v; i++) {
    const z = logits[i] / temperature;
    logits[i] = z;
    if (z > max) {
      max = z;
      argmax = i;
    }
  }
  const topK = o.topK ?? 0;
  const topP = o.topP ?? 1;
  if (o.greedy) {
    let sum = 0;
    for (let i = 0; i < v; i++) sum += Math.exp(logits[i] - max);
    return { token: argmax, logprob: -Math.log(sum) };
  }
  // Candidates in descending probability (ties by id, so the order is reproducible); a full sort only when needed.
  let candidates: number[];
  if (topK > 0 && topK <= MAX_SELECT && topK < v) {
    candidates = topKIds(logits, topK);
  } else if (topK > 0 || topP < 1) {
    candidates = Array.from({ length: v }, (_, i) => i);
    candidates.sort((a, b) => logits[b] - logits[a] || a - b);
    if (topK > 0 && topK < v) candidates.length = topK;
  } else {
    candidates = [];
  }
  const all = candidates.length === 0;
  const n = all ? v : candidates.length;
  const weights = new Float64Array(n);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const w = Math.exp(logits[all ? j : candidates[j]] - max);
    weights[j] = w;
    total += w;
  }
  let kept = n;
  if (topP < 1) {
    // HF TopPLogitsWarper keeps the smallest prefix whose mass reaches topP, at least one token.
    let cum = 0;
    for (let j = 0; j < n; j++) {
      cum += weights[j] / total;
      if (cum >= topP) {
        kept = j + 1;
        break;
      }
    }
    total = 0;
    for (let j = 0; j < kept; j++) total += weights[j];
  }
  let target = uniform * total;
  let pick = kept - 1;
  for (let j = 0; j < kept; j++) {
    target -= weights[j];
    if (target < 0) {
      pick = j;
      break;
    }
  }
  // A draw that lands on a zero-weight tail (underflow) falls back to the last positive-weight candidate.
  while (pick > 0 && weights[pick] === 0) pick--;
  return { token: all ? pick : candidates[pick], logprob: Math.log(weights[pick] / total) };
}

/** A row at least this many times longer than its candidates comes as candidates. */
const CANDIDATE_ROW_FACTOR = 64;

/** One row of logits on the host: the whole vocabulary, or only some ids (the others cannot be chosen). */
export interface RowLogits {
  values: Float32Array;
  /** The id of each value, ascending; absent when values[i] is id i's logit. */
  ids?: Int32Array;
}

/**
 * How many of a row's largest logits settle the choice under these options (k + 1 with top-k), or 0 when the
 * whole row is needed: greedy's log-prob and top-p alone normalise over every id, and the repetition penalty
 * reorders them. The selection has a fixed cost per step (a top-k op, two downloads, a sort per row) that only a
 * row much longer than k + 1 repays: on the 263-id demo model whole rows are faster, on a 32 k vocabulary not.
 */
export function candidateCount(o: SamplingOptions, vocab: number): number {
  const k = o.topK ?? 0;
  if (o.greedy || (o.repetitionPenalty ?? 1) !== 1 || !(k > 0 && k <= MAX_SELECT)) return 0;
  return CANDIDATE_ROW_FACTOR * (k + 1) <= vocab ? k + 1 : 0;
}

/**
 * Whether a row's k + 1 largest logits (descending) settle top-k: the (k+1)-th, divided by the temperature as
 * {@link chooseToken} does, stays strictly below the k-th, so no id outside them can be among the k kept (ties
 * after dividing, broken by id, could otherwise bring one in).
 */
export function candidatesSettle(descending: ArrayLike<number>, o: SamplingOptions): boolean {
  const n = descending.length;
  const t = o.temperature ?? 1;
  return n >= 2 && Math.fround(descending[n - 1] / t) < Math.fround(descending[n - 2] / t);
}

/** {@link chooseToken} over a row that may hold only candidate ids (modifies its values in place). */
export function chooseFromRow(row: RowLogits, o: SamplingOptions, seen: Iterable<number>, uniform: number): Choice {
  if (!row.ids) return chooseToken(row.values, o, seen, uniform);
  // Ascending ids keep chooseToken's tie order (by id); its max is among the candidates.
  const c = chooseToken(row.values, o, [], uniform);
  return { token: row.ids[c.token], logprob: c.logprob };
}
