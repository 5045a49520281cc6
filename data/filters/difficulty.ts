/**
 * The difficulty filter (GZ §4.1.2): sample every prompt k times (default 8) from a reference policy, score each
 * sample with the task's verifier, and drop the prompts solved all k times (too easy) or never (too hard): a GRPO
 * group whose rewards are all equal carries no signal. Kept rows record `meta.passRate` (passes / k). Prompts go to
 * the policy in shards; a shard's pass counts are reported as it finishes, so an activity can heartbeat them and a
 * retry can skip the prompts already done (`known`).
 */
import { windowAt } from '../../rl/window.ts';
import type { ExperimentConfig, TaskConfig } from '../../schemas/experiment.ts';
import type { DatasetRow } from '../../schemas/records/dataset-row.ts';
import { DataInputError } from '../errors.ts';
import type { ReferencePolicy } from '../reference-policy.ts';
import { type VerifyOptions, verifyResponse } from '../verify.ts';
import type { FilterResult } from './types.ts';

/** Longest reference response: the configured one, or the window the policy starts with. */
export function referenceMaxTokens(config: ExperimentConfig, task: TaskConfig): number {
  return task.filters.difficulty.maxTokens ?? windowAt(config.window, 0);
}

export interface DifficultyOptions {
  /** The policy to sample from. */
  policy: ReferencePolicy;
  /** Samples per prompt. Default 8 (GZ). */
  k?: number;
  /** Seed of the draws. */
  seed: number;
  /** Prompts per call to the policy. Default 32. */
  shardSize?: number;
  /** Shards in flight at once. Default 2. */
  concurrency?: number;
  /** Decides one response; default: verifyResponse with `verify` options (the task's real verifier). */
  isCorrect?: (row: DatasetRow, response: string) => Promise<boolean>;
  /** Options of the default verifier (template tags, sandbox). */
  verify?: VerifyOptions;
  /** Pass counts already known by row id (from an earlier attempt's heartbeat); those rows are not sampled again. */
  known?: ReadonlyMap<string, number>;
  /** Called after each shard with the pass counts it measured. */
  onShard?: (passes: { id: string; passes: number }[]) => void;
  /** Called with (prompts done, prompts in all) after each shard. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export async function difficultyFilter(rows: readonly DatasetRow[], options: DifficultyOptions): Promise<FilterResult> {
  const k = options.k ?? 8;
  if (!Number.isSafeInteger(k) || k < 2)
    throw new DataInputError('difficulty.k', `must be a whole number ≥ 2, got ${k}`);
  const writing = rows.find((r) => r.kind === 'writing' && r.constraints === undefined);
  if (writing && !options.isCorrect) {
    throw new DataInputError('difficulty', `row ${writing.id} is judged writing: the filter needs a verifiable task`);
  }
  const isCorrect =
    options.isCorrect ??
    (async (row: DatasetRow, response: string) => (await verifyResponse(row, response, options.verify)).correct);
  const passes = new Map<string, number>(options.known ?? []);
  const todo = rows.filter((r) => !passes.has(r.id));
  const size = Math.max(1, options.shardSize ?? 32);
  const shards: DatasetRow[][] = [];
  for (let i = 0; i < todo.length; i += size) shards.push(todo.slice(i, i + size));
  let done = rows.length - todo.length;
  options.onProgress?.(done, rows.length);
  let next = 0;
  const worker = async () => {
    while (next < shards.length) {
      const shard = shards[next++];
      options.signal?.throwIfAborted();
      const samples = await options.policy.sample(shard, k, { seed: options.seed, signal: options.signal });
      if (!Array.isArray(samples) || samples.length !== shard.length || samples.some((s) => s.length !== k)) {
        throw new DataInputError('reference policy', `must return ${k} samples for each of ${shard.length} prompts`);
      }
      const counts = await Promise.all(
        shard.map(async (row, i) => {
          const verdicts = await Promise.all(samples[i].map((s) => isCorrect(row, s)));
          return { id: row.id, passes: verdicts.filter(Boolean).length };
        })
      );
      for (const c of counts) passes.set(c.id, c.passes);
      done += shard.length;
      options.onShard?.(counts);
      options.onProgress?.(done, rows.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  const kept: DatasetRow[] = [];
  const dropped: FilterResult['dropped'] = [];
  for (const row of rows) {
    const p = passes.get(row.id) ?? 0;
    if (p === k) dropped.push({ row, reason: `solved ${k}/${k} (too easy)` });
    else if (p === 0) dropped.push({ row, reason: `solved 0/${k} (too hard)` });
    else kept.push({ ...row, meta: { ...row.meta, passRate: p / k, difficultyK: k } });
  }
  return { kept, dropped };
}
