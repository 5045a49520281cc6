/**
 * The reference policy the difficulty filter samples from (GZ §4.1.2 used Qwen3-8B-Instruct): the interface the
 * filter calls. Its implementations do I/O and live in the training library: the in-process engine
 * (training/engine-reference-policy.ts) and any OpenAI-compatible endpoint (training/openai-reference-policy.ts).
 */
import type { DatasetRow } from '../schemas/records/dataset-row.ts';

export interface ReferenceSampleOptions {
  /** Seed of the draws; sample j of a row is seeded from (seed, row id, j), so a retried shard asks the same thing. */
  seed: number;
  /** Aborts outstanding requests. */
  signal?: AbortSignal;
}

export interface ReferencePolicy {
  /** k responses for each prompt, in prompt order: `result[i].length === k`. */
  sample(prompts: DatasetRow[], k: number, opts: ReferenceSampleOptions): Promise<string[][]>;
}
