/**
 * pass@k: the chance that at least one of k samples of a prompt is right, estimated without bias from n ≥ k samples
 * of which c are right (Chen et al. 2021, "Evaluating Large Language Models Trained on Code", §2.1):
 * 1 − C(n−c, k) / C(n, k). Zero-RL papers read it beside avg@k: RL that only sharpens the base moves avg@k towards
 * the base's pass@k, so the base's pass@k − avg@k is the gain sharpening alone can reach.
 */
import { RlInputError } from './errors.ts';

/** Unbiased pass@k of one prompt; the product form keeps it exact where the binomials would overflow. */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k))
    throw new RlInputError('passAtK', `n, c and k must be whole numbers, got n=${n} c=${c} k=${k}`);
  if (k < 1 || k > n) throw new RlInputError('k', `must be in [1, n=${n}], got ${k}`);
  if (c < 0 || c > n) throw new RlInputError('c', `must be in [0, n=${n}], got ${c}`);
  if (n - c < k) return 1;
  // C(n−c, k) / C(n, k) = Π_{i=n−c+1}^{n} (1 − k / i)
  let miss = 1;
  for (let i = n - c + 1; i <= n; i++) miss *= 1 - k / i;
  return 1 - miss;
}

/** One prompt's evaluated samples: how many were scored and how many of those got full marks. */
export interface PromptHits {
  scored: number;
  full: number;
}

/** Mean pass@k over the prompts with at least k scored samples; null when none has. */
export function meanPassAtK(prompts: readonly PromptHits[], k: number): number | null {
  const counted = prompts.filter((p) => p.scored >= k);
  if (counted.length === 0) return null;
  return counted.reduce((sum, p) => sum + passAtK(p.scored, p.full, k), 0) / counted.length;
}
