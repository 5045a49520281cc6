/**
 * DAPO's dynamic sampling (Yu et al. 2025, §3.2, eq. 11's constraint 0 < |{o_i correct}| < G): a step draws batches
 * of prompt groups until it holds its batch of groups whose rewards are not all equal, at most `maxBatches` draws.
 * Which groups are kept, which of them are trained on, and whether to draw again: pure, so the scorer, the update
 * and the workflow share one rule.
 */
import { dynamicSamplingKeep, groupKey } from './advantages.ts';

/**
 * The index in the step of a draw's first prompt: draws are `promptsPerStep` prompts each and their prompts are
 * numbered on across draws, so every prompt of a step has its own group id and sampling seed.
 */
export function firstPromptOfDraw(draw: number, promptsPerStep: number): number {
  return draw * promptsPerStep;
}

/** One scored response of a draw: its group (task + prompt) and its total reward, null when undefined. */
export interface DrawnSample {
  task: string;
  group: string;
  reward: number | null;
}

export interface GroupFilter {
  /** Groups in the draw, undefined rewards or not. */
  drawn: number;
  /** Keys (`groupKey(task, group)`) of the groups kept, in the order they first appear. */
  kept: string[];
}

/**
 * A group is kept iff its defined rewards are not all equal (`dynamicSamplingKeep`): undefined rewards are dropped
 * first, as the update drops them, so a group of [1, null, 1] carries no signal and is not kept.
 */
export function filterGroups(samples: readonly DrawnSample[]): GroupFilter {
  const rewards = new Map<string, number[]>();
  for (const s of samples) {
    const key = groupKey(s.task, s.group);
    const list = rewards.get(key) ?? [];
    if (s.reward !== null) list.push(s.reward);
    rewards.set(key, list);
  }
  const kept = [...rewards].filter(([, r]) => dynamicSamplingKeep(r)).map(([key]) => key);
  return { drawn: rewards.size, kept };
}

/**
 * The groups a step trains on: the first `want` kept groups in draw order (verl aligns its batch the same way,
 * `batch[:train_batch_size · n]`); fewer when the draws ran out first.
 */
export function trainedGroups(kept: readonly string[], want: number): string[] {
  return kept.slice(0, want);
}

/**
 * Whether a step draws another batch: fewer than `want` groups kept so far and fewer than `maxBatches` draws made.
 * verl raises once its bound is hit; here the step trains on what it kept (the workflow logs a warning and the step
 * metrics record it), since failing a durable run over one hard batch would lose more than it protects.
 */
export function drawAgain(o: { kept: number; want: number; draws: number; maxBatches: number }): boolean {
  return o.kept < o.want && o.draws < o.maxBatches;
}
