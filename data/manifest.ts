/** The data manifest (SPEC §7): what went in and out of every preparation stage and why, plus hashes of the outputs. */
import type { QuarantineSummary } from './quarantine.ts';

export interface StageCount {
  /** Stage name: load, sharegpt, generate, dedup, max-prompt-tokens, held-out-split, held-out-overlap, category-downsample, difficulty, max-samples. */
  stage: string;
  /** Rows entering the stage (for load: non-blank lines). */
  in: number;
  /** Rows leaving it. */
  out: number;
  /** Rows that did not go on, by reason. For held-out-split this includes the rows moved to the held-out set. */
  dropped: Record<string, number>;
}

export interface OutputInfo {
  rows: number;
  /** Hex sha256 of the JSONL bytes (toJsonl). */
  sha256: string;
  /** Where it was written, when an output store was given. */
  uri?: string;
}

export interface DataManifest {
  task: string;
  kind: string;
  /** The task's source section as configured (type, uri or world, adapter, sizes). */
  source: Record<string, unknown>;
  /** Seed used for every draw (the source's own seed, else the experiment seed). */
  seed: number;
  /** How prompt tokens were counted for max-prompt-tokens: the policy's tokenizer, or UTF-8 bytes. */
  tokenCounter: 'provided' | 'utf8-bytes';
  stages: StageCount[];
  quarantine: QuarantineSummary;
  outputs: { train: OutputInfo; heldOut: OutputInfo; quarantine?: OutputInfo };
}
