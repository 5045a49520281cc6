/** What the batch scorer reads and writes. */

export const SAMPLE_KINDS = ['math', 'code', 'qa', 'writing', 'stem'] as const;
export type SampleKind = (typeof SAMPLE_KINDS)[number];

/** The gold side of a sample, named as in the dataset row (schemas/records/dataset-row.ts: reference → answer). */
export interface SampleReference {
  /** math/stem final answer, QA gold text, or the reference reply for pairwise judging (OT) / the verify mode. */
  answer?: string;
  /** Further accepted answers (QA set membership; STEM alternatives). */
  accepted?: string[];
  /** Code unit tests in the sandbox's CodeTests shape (or its JSON text). */
  tests?: unknown;
  /** Writing constraints (rewards/writing records). */
  constraints?: unknown[];
}

/** One rollout to score. */
export interface ScorerSample {
  id: string;
  /** Task name from the config (selects the task's scorer). */
  task: string;
  kind: SampleKind;
  /** The prompt's group (advantages are normalised within it); carried through, not used for scoring. */
  groupId: string;
  /** The question as the user saw it (the judge and the model-based verifier read it). */
  prompt: string;
  /** The policy's response text. */
  response: string;
  reference: SampleReference;
  /** Cut by the window rather than ended by EOS (SPEC §5). Default false. */
  truncated?: boolean;
}

/** One sample's reward, shaped as schemas/records/reward-record.ts: `null` = undefined (or not applicable). */
export interface ScoredRecord {
  id: string;
  task: string;
  components: {
    /** R_acc: verifiable correct/incorrect, the judge's value, or the constraint score mapped to the accuracy scale. */
    accuracy: number | null;
    /** R_format ∈ {0, 1}. */
    format: number | null;
    /** OT R_tags; null when the tags reward is off. */
    tags: number | null;
    /** R_length (GZ eq. 7); null for verifiable tasks or when off. */
    length: number | null;
  };
  total: number | null;
  facts: {
    thinkTokens: number;
    answerTokens: number;
    thinkChars: number;
    answerChars: number;
    truncated: boolean;
    testsPassedFraction?: number;
    judgeLatencyMs?: number;
    undefinedReason?: string;
  };
}

export interface UndefinedCounts {
  /** Samples whose accuracy is undefined (judge failed, verifier timed out, unparseable under OT rules…). */
  accuracy: number;
  /** Always 0: the format check is a pure function of the text. Kept so every component has a count. */
  format: number;
  /** Tags reward undefined where enabled: always 0, as for format. */
  tags: number;
  /** Length penalty undefined where it applies: always 0 (lengths are always known). */
  length: number;
  /** Samples left without a total; they are dropped before the update. */
  total: number;
}

export interface ScoreBatchSummary {
  samples: number;
  undefined: UndefinedCounts;
  /** How often each undefinedReason occurred, e.g. { 'judge-timeout': 3, 'verify-timeout': 1 }. */
  reasons: Record<string, number>;
  /** Wall time of the whole batch, ms. */
  ms: number;
}

export interface ScoreBatchResult {
  /** One record per input sample, in input order. */
  records: ScoredRecord[];
  summary: ScoreBatchSummary;
}
