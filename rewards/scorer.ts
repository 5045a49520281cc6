/**
 * The batch reward scorer (SPEC §2): every reward component and the total for a batch of rollouts of mixed task
 * kinds, with per-component counts of undefined values. Verifiers spread over CPU cores (worker threads for the rule
 * verifiers, the sandbox's own process pool for code), judge calls run concurrently, and every call has its own
 * timeout, so one hung verifier or judge makes one component undefined instead of stalling the step.
 */
import os from 'node:os';
import { formatReward, tagsReward } from '../rl/format-reward.ts';
import { lengthPenalty } from '../rl/length-penalty.ts';
import { gzReward, weightedReward } from '../rl/reward-total.ts';
import { parseResponse } from '../rl/template.ts';
import { ConcurrencyLimiter } from './concurrency-limiter.ts';
import { type AccuracyContext, accuracyOf } from './scorer/accuracy.ts';
import {
  DEFAULT_SCORER_REWARDS,
  type ScoreBatchOptions,
  type ScorerRewardsConfig,
  type ScorerTimeouts,
  type TaskScorer,
} from './scorer/options.ts';
import {
  SAMPLE_KINDS,
  type ScoreBatchResult,
  type ScoredRecord,
  type ScorerSample,
  type UndefinedCounts,
} from './scorer/types.ts';
import { WorkerPool } from './scorer/worker-pool.ts';

export { scorerOptionsFromConfig } from './scorer/from-config.ts';
export {
  DEFAULT_SCORER_REWARDS,
  type ScoreBatchOptions,
  type ScorerRewardsConfig,
  type ScorerTimeouts,
  type TaskScorer,
} from './scorer/options.ts';
export * from './scorer/types.ts';
export { type PoolOutcome, WorkerPool, type WorkerPoolOptions, type WorkerPoolStats } from './scorer/worker-pool.ts';

/** Bad input to the scorer (an unknown kind, a sample that is not an object): fails the batch with what to fix. */
export class ScorerInputError extends Error {
  override readonly name = 'ScorerInputError';
}

let sharedPool: WorkerPool | null = null;

/** The process-wide verifier pool (size = cores), started on first use; its idle workers do not keep Node alive. */
export function defaultVerifierPool(): WorkerPool {
  sharedPool ??= new WorkerPool({
    module: new URL(`./scorer/verifiers.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
    size: os.availableParallelism(),
  });
  return sharedPool;
}

function mergeRewards(partial: Partial<ScorerRewardsConfig> = {}): ScorerRewardsConfig {
  const d = DEFAULT_SCORER_REWARDS;
  return {
    aggregation: partial.aggregation ?? d.aggregation,
    accuracy: { ...d.accuracy, ...partial.accuracy },
    verifiable: { ...d.verifiable, ...partial.verifiable },
    format: { ...d.format, ...partial.format },
    tags: { ...d.tags, ...partial.tags },
    lengthPenalty: { ...d.lengthPenalty, ...partial.lengthPenalty },
    modelVerifier: { ...d.modelVerifier, ...partial.modelVerifier },
  };
}

function checkSamples(samples: readonly ScorerSample[]): void {
  const problems: string[] = [];
  samples.forEach((s, i) => {
    const at = `samples[${i}]${s && typeof s.id === 'string' ? ` (id ${s.id})` : ''}`;
    if (s === null || typeof s !== 'object') {
      problems.push(`${at}: must be an object`);
      return;
    }
    if (!SAMPLE_KINDS.includes(s.kind))
      problems.push(`${at}.kind: must be one of ${SAMPLE_KINDS.join(', ')}, got '${String(s.kind)}'`);
    for (const f of ['id', 'task', 'prompt', 'response'] as const) {
      if (typeof s[f] !== 'string') problems.push(`${at}.${f}: must be a string`);
    }
    if (s.reference === null || typeof s.reference !== 'object') problems.push(`${at}.reference: must be an object`);
  });
  if (problems.length > 0) throw new ScorerInputError(problems.slice(0, 20).join('; '));
}

/** Scores a batch. Never rejects for a failing verifier or judge (those become counted nulls); rejects on bad input. */
export async function scoreBatch(
  samples: readonly ScorerSample[],
  options: ScoreBatchOptions
): Promise<ScoreBatchResult> {
  const started = performance.now();
  if (typeof options?.countTokens !== 'function') {
    throw new ScorerInputError("options.countTokens: pass the policy tokenizer's token counter, (text) => number");
  }
  checkSamples(samples);
  const rewards = mergeRewards(options.rewards);
  const judge = options.judge;
  const jo = judge?.options;
  const timeouts: Required<ScorerTimeouts> = {
    verifyMs: options.timeouts?.verifyMs ?? 5_000,
    codeMs: options.timeouts?.codeMs ?? 120_000,
    judgeMs:
      options.timeouts?.judgeMs ??
      (jo ? (jo.retries + 1) * jo.timeoutMs + jo.retries * jo.backoffMaxMs + 1_000 : 60_000),
  };
  const template = options.template ?? {};
  parseResponse('', template); // rejects bad tag names once, before any work
  const answerTag = template.answerTag ?? 'answer';
  const taskScorer = (s: ScorerSample): TaskScorer =>
    options.taskScorers?.[s.task] ??
    (s.kind !== 'writing' ? 'verifier' : judge ? 'judge' : s.reference.constraints ? 'constraints' : 'judge');
  const ctx: AccuracyContext = {
    rewards,
    timeouts,
    pool: options.verifierPool ?? defaultVerifierPool(),
    judge,
    // A pairwise judgement sends two requests at once: admit half as many so the second order does not queue inside
    // the client while its deadline runs.
    judgeLane: judge
      ? new ConcurrencyLimiter(
          judge.options.mode === 'pairwise' && judge.options.bothOrders
            ? Math.max(1, Math.floor(judge.options.concurrency / 2))
            : judge.options.concurrency
        )
      : undefined,
    codeLane: new ConcurrencyLimiter(options.codeConcurrency ?? os.availableParallelism()),
    codeRuns: new Map(),
    sandbox: options.sandbox,
    answerTag,
    taskScorer,
  };

  const records = await Promise.all(
    samples.map(async (s): Promise<ScoredRecord> => {
      const parsed = parseResponse(s.response, template);
      const think = parsed.think ?? '';
      const answer = parsed.answer ?? '';
      const thinkTokens = think === '' ? 0 : options.countTokens(think);
      const answerTokens = answer === '' ? 0 : options.countTokens(answer);
      const format = formatReward(parsed);
      const tags = rewards.tags.enabled ? tagsReward(parsed) : null;
      // SPEC §3: the length penalty is for non-verifiable tasks only (GZ §3.3).
      const lengthApplies = s.kind === 'writing' && rewards.lengthPenalty.enabled;
      const length = lengthApplies ? lengthPenalty({ thinkTokens, answerTokens }, rewards.lengthPenalty).total : null;
      const acc = await accuracyOf(ctx, s, parsed.answer);
      const accuracy = acc.value;

      let total: number | null;
      if (rewards.aggregation === 'gz') {
        total = gzReward(
          {
            accuracy: accuracy === null ? null : rewards.accuracy.weight * accuracy,
            format,
            ...(lengthApplies ? { length } : {}),
          },
          { alpha: rewards.format.weight, beta: rewards.lengthPenalty.weight }
        );
        if (total !== null && tags !== null) total += rewards.tags.weight * tags;
      } else {
        total = weightedReward(
          { accuracy, format, ...(tags !== null ? { tags } : {}), ...(lengthApplies ? { length } : {}) },
          {
            accuracy: rewards.accuracy.weight,
            format: rewards.format.weight,
            tags: rewards.tags.weight,
            length: rewards.lengthPenalty.weight,
          }
        );
      }
      return {
        id: s.id,
        task: s.task,
        components: { accuracy, format, tags, length },
        total,
        facts: {
          thinkTokens,
          answerTokens,
          thinkChars: think.length,
          answerChars: answer.length,
          truncated: s.truncated ?? false,
          ...(acc.testsPassedFraction !== undefined ? { testsPassedFraction: acc.testsPassedFraction } : {}),
          ...(acc.judgeLatencyMs !== undefined ? { judgeLatencyMs: acc.judgeLatencyMs } : {}),
          ...(accuracy === null && acc.reason !== undefined ? { undefinedReason: acc.reason } : {}),
        },
      };
    })
  );

  const undefinedCounts: UndefinedCounts = { accuracy: 0, format: 0, tags: 0, length: 0, total: 0 };
  const reasons: Record<string, number> = {};
  for (const r of records) {
    if (r.components.accuracy === null) {
      undefinedCounts.accuracy++;
      const key = (r.facts.undefinedReason ?? 'unknown').split(':')[0];
      reasons[key] = (reasons[key] ?? 0) + 1;
    }
    if (r.total === null) undefinedCounts.total++;
  }
  return {
    records,
    summary: { samples: records.length, undefined: undefinedCounts, reasons, ms: performance.now() - started },
  };
}
