/**
 * A synthetic task world (DESIGN "synthetic task worlds for the demo"): a seeded generator of short, exactly checkable
 * tasks for a tiny byte-level model, plus a pretraining corpus in the answer template with systematic errors that
 * GRPO can fix. A new world is one file plus one line in worlds/index.ts.
 */
import type { TaskKind } from '../../schemas/experiment/tasks.ts';
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';

/** One concrete task of a world, before it becomes a dataset row. */
export interface Problem {
  /** Family within the world (e.g. `add`, `carry`), kept in `meta.family`. */
  family: string;
  /** The user turn (short: ≤ ~60 bytes). */
  prompt: string;
  /** The correct answer content (≤ ~24 bytes). */
  answer: string;
  /** Short think content for the pretraining corpus. */
  think: string;
  /** The family's systematic error for this problem, when the problem triggers it (a carry, a constant ≥ 5…). */
  bug?: { answer: string; think?: string; name: string };
  /** Row fields the verifier needs: reference, accepted, tests, constraints, category. */
  fields: Pick<DatasetRow, 'reference' | 'accepted' | 'tests' | 'constraints' | 'category'>;
}

export interface WorldGenerateOptions {
  /** Seed of the generator (and of a QA world's fact table). */
  seed: number;
  /** Training rows. */
  trainSize: number;
  /** Held-out rows, disjoint from training (by prompt, and so by normalised prompt). */
  heldOutSize: number;
  /** Task name written into every row. Default: the world's name. */
  task?: string;
}

export interface CorpusOptions {
  /**
   * Probability that an example whose problem triggers its family's systematic error carries that error instead of
   * the correct answer (the same wrong answer every time, so above 0.5 it is the most likely label). Default 0.
   */
  noise?: number;
  /** Reasoning tag name. Default 'think'. */
  thinkTag?: string;
  /** Answer tag name. Default 'answer'. */
  answerTag?: string;
}

export interface CorpusPair {
  prompt: string;
  /** `<think>…</think><answer>…</answer>` with the configured tag names. */
  response: string;
  /** The systematic error this pair carries, if any (for measuring the corpus, not for training). */
  bug?: string;
}

/** What a world file defines: its name, kind, description and problem generator. */
export interface WorldSpec {
  readonly name: string;
  readonly kind: TaskKind;
  /** One paragraph for docs and `data inspect`: families, sizes, the systematic error. */
  readonly description: string;
  /** Draws one problem (uniform over the world's families and parameters) for the given seed. */
  problem(random: () => number, seed: number): Problem;
}

/** A world as the registry exposes it: the spec plus its splits and its pretraining corpus. */
export interface TaskWorld extends WorldSpec {
  /** Training and held-out rows (distinct prompts, disjoint splits, deterministic in the seed). */
  generate(opts: WorldGenerateOptions): { train: DatasetRow[]; heldOut: DatasetRow[] };
  /** `n` prompt/response pairs in the answer template with the systematic errors at `noise`. */
  pretrainCorpus(seed: number, n: number, opts?: CorpusOptions): CorpusPair[];
}
