/** Options of scoreBatch: the reward configuration (the config's `rewards` section) plus runtime collaborators. */
import type { LengthPenaltyOptions } from '../../rl/length-penalty.ts';
import type { TemplateOptions } from '../../rl/template.ts';
import {
  DEFAULT_FORMAT_WEIGHT,
  LENGTH_PENALTY_DEFAULTS,
  LENGTH_PENALTY_WEIGHT,
} from '../../schemas/experiment/defaults.ts';
import type { JudgeClient } from '../judge/client.ts';
import type { SandboxLimits, SandboxPool } from '../sandbox/index.ts';
import type { WorkerPool } from './worker-pool.ts';

/**
 * The fields of the validated `rewards` config section (schemas/experiment/rewards.ts) the scorer reads; structural,
 * so `config.rewards` can be passed as is. Defaults: DEFAULT_SCORER_REWARDS (the papers' values).
 */
export interface ScorerRewardsConfig {
  /** 'gz' (GZ eq. 8–9, default) or 'ot' (OT §4.4 weighted sum over defined components). */
  aggregation: 'gz' | 'ot';
  /** Weight of the accuracy component. Default 1. */
  accuracy: { weight: number };
  /** R_acc^ver values and what an unextractable answer is: 'incorrect' (GZ, default) or 'undefined' (OT). */
  verifiable: { correct: number; incorrect: number; unparseable: 'incorrect' | 'undefined' };
  /** α (GZ) or OT w_format. Default 0.5. */
  format: { weight: number };
  /** OT tags reward |tags present|/4. Default off, weight 0.1. */
  tags: { enabled: boolean; weight: number };
  /** GZ §3.3 length penalty, non-verifiable tasks only; weight β. Default on, β = 2, GZ eq. 5–7 defaults. */
  lengthPenalty: LengthPenaltyOptions & { enabled: boolean; weight: number };
  /** General-Reasoner fallback: ask the judge (verify mode) when rules reject a math/stem answer. Default off. */
  modelVerifier: { enabled: boolean };
}

export const DEFAULT_SCORER_REWARDS: ScorerRewardsConfig = Object.freeze({
  aggregation: 'gz',
  accuracy: { weight: 1 },
  verifiable: { correct: 1, incorrect: -1, unparseable: 'incorrect' },
  format: { weight: DEFAULT_FORMAT_WEIGHT.gz },
  tags: { enabled: false, weight: 0.1 },
  lengthPenalty: { enabled: true, weight: LENGTH_PENALTY_WEIGHT, ...LENGTH_PENALTY_DEFAULTS },
  modelVerifier: { enabled: false },
}) as ScorerRewardsConfig;

/** How a task's accuracy is obtained (config `tasks.<name>.scorer`). */
/** 'length-biased' is the deliberately hackable writing reward of the length-penalty finding (rewards/writing/length-biased.ts). */
export type TaskScorer = 'verifier' | 'judge' | 'constraints' | 'length-biased';

export interface ScorerTimeouts {
  /** Math/stem/QA rule verification, from the moment a worker takes it; the worker is killed on expiry. Default 5,000 ms. */
  verifyMs: number;
  /** One code sample's whole runTests call, from its start (the sandbox's own limits act first). Default 120,000 ms. */
  codeMs: number;
  /**
   * One judgement from its start, retries and both pairwise orders included. Default: (retries + 1) × the judge's
   * timeoutMs + retries × its backoffMaxMs + 1 s, i.e. what the judge's own bounds allow.
   */
  judgeMs?: number;
}

export interface ScoreBatchOptions {
  /** Token counter of the POLICY's tokenizer (think/answer lengths of SPEC §1 are policy tokens). Required. */
  countTokens: (text: string) => number;
  /** Reward configuration; omitted fields take DEFAULT_SCORER_REWARDS. */
  rewards?: Partial<ScorerRewardsConfig>;
  /** Response template (tag names, pre-filled think tag). Default OT/Qwen3 `<think>`/`<answer>`. */
  template?: TemplateOptions;
  /** Scorer per task name (config `tasks.<name>.scorer`). Default: 'verifier' for verifiable kinds; for writing 'judge' when a judge is given, else 'constraints'. */
  taskScorers?: Readonly<Record<string, TaskScorer>>;
  /** The LLM judge; required for tasks scored by the judge and for the model-based verifier. */
  judge?: JudgeClient;
  /** Worker pool running the rule verifiers. Default: one shared pool per process, size = cores. */
  verifierPool?: WorkerPool;
  /** Sandbox pool and limits for code tasks. Default: the sandbox's shared pool and DEFAULT_LIMITS. */
  sandbox?: { pool?: SandboxPool; limits?: Partial<SandboxLimits> };
  /** Code samples run at once (each may use several sandbox slots for stdio tests). Default cores. */
  codeConcurrency?: number;
  /** Per-call timeouts; any omitted one takes its default. */
  timeouts?: Partial<ScorerTimeouts>;
}
