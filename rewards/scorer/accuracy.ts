/**
 * The accuracy component per task kind (SPEC §2 "Verifiers by domain"). Each function returns a value or null with a
 * reason, and is bounded in time: rule verifiers run in worker threads that are killed on timeout, code runs in the
 * sandbox under its limits plus a scorer timeout, judge calls carry an abort deadline.
 */
import { verifiableAccuracy } from '../../rl/reward-total.ts';
import type { ConcurrencyLimiter } from '../concurrency-limiter.ts';
import type { JudgeClient, JudgeResult } from '../judge/client.ts';
import { extractAnswer } from '../math/index.ts';
import { matchQa } from '../qa/index.ts';
import { extractProgram, parseCodeTests, runTests, SandboxInputError } from '../sandbox/index.ts';
import { constraintAccuracy, parseConstraints, scoreConstraints, scoreLengthBiased } from '../writing/index.ts';
import type { ScoreBatchOptions, ScorerRewardsConfig, ScorerTimeouts, TaskScorer } from './options.ts';
import type { ScorerSample } from './types.ts';
import { type RuleVerdict, verifyMathAnswer } from './verifiers.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface AccuracyOutcome {
  value: number | null;
  /** Why value is null (also kept for defined values decided by a fallback, e.g. 'unparseable' → incorrect). */
  reason?: string;
  testsPassedFraction?: number;
  judgeLatencyMs?: number;
}

/** Everything one batch shares. */
export interface AccuracyContext {
  rewards: ScorerRewardsConfig;
  timeouts: Required<ScorerTimeouts>;
  pool: WorkerPool;
  judge?: JudgeClient;
  judgeLane?: ConcurrencyLimiter;
  codeLane: ConcurrencyLimiter;
  /**
   * One sandbox run per distinct program and tests in the batch: a group's responses often differ only in their
   * thinking, and the same program under the same tests gets the same verdict (their outcome, shared).
   */
  codeRuns: Map<string, Promise<AccuracyOutcome>>;
  sandbox: ScoreBatchOptions['sandbox'];
  answerTag: string;
  taskScorer: (sample: ScorerSample) => TaskScorer;
}

/** Short plain integers, decimals and a/b: verifyMath's fast-path shape, capped in length so it stays trivial. */
const PLAIN_NUMBER = /^[+-]?(?:\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})(?:\/\d{1,30})?$/;

const undef = (reason: string, extra: Partial<AccuracyOutcome> = {}): AccuracyOutcome => ({
  value: null,
  reason,
  ...extra,
});

function verdict(ctx: AccuracyContext, correct: boolean): number {
  return verifiableAccuracy(correct, ctx.rewards.verifiable) as number;
}

/** An answer with no extractable content: GZ counts it wrong, OT leaves it undefined (config verifiable.unparseable). */
function unparseable(ctx: AccuracyContext, incorrectValue: number): AccuracyOutcome {
  return ctx.rewards.verifiable.unparseable === 'undefined'
    ? undef('unparseable')
    : { value: incorrectValue, reason: 'unparseable' };
}

function golds(sample: ScorerSample): string[] {
  const { answer, accepted } = sample.reference;
  return [...(answer !== undefined ? [answer] : []), ...(accepted ?? [])].filter((g) => typeof g === 'string');
}

async function judged<T>(
  ctx: AccuracyContext,
  call: (judge: JudgeClient, signal: AbortSignal) => Promise<JudgeResult<T>>
): Promise<{ result: JudgeResult<T> } | { missing: true }> {
  const { judge, judgeLane } = ctx;
  if (!judge || !judgeLane) return { missing: true };
  // The deadline starts when the lane admits the call, so a long queue of judgements does not time out unstarted ones.
  const result = await judgeLane.run(() => call(judge, AbortSignal.timeout(ctx.timeouts.judgeMs)));
  return { result };
}

function judgeFailure(r: JudgeResult<unknown>): string {
  return `judge-${r.failure === 'aborted' ? 'timeout' : (r.failure ?? 'failed')}`;
}

async function ruleThenModel(
  ctx: AccuracyContext,
  sample: ScorerSample,
  answer: string,
  rule: () => Promise<AccuracyOutcome | RuleVerdict>
): Promise<AccuracyOutcome> {
  const r = await rule();
  if ('value' in r) return r;
  if (r.equivalent) return { value: verdict(ctx, true) };
  if (ctx.rewards.modelVerifier.enabled) {
    const gold = golds(sample)[0];
    const j = await judged(ctx, (judge, signal) =>
      judge.verifyEquivalence({ question: sample.prompt, reference: gold, answer }, signal)
    );
    // A failed fallback leaves the rule's verdict standing: the judge can only rescue, never make undefined.
    if ('result' in j && j.result.value !== null) {
      return { value: verdict(ctx, j.result.value), judgeLatencyMs: j.result.latencyMs };
    }
    if ('result' in j)
      return {
        value: verdict(ctx, false),
        reason: `model-verifier-${judgeFailure(j.result)}`,
        judgeLatencyMs: j.result.latencyMs,
      };
  }
  return { value: verdict(ctx, false) };
}

async function inWorker(ctx: AccuracyContext, fn: string, args: unknown[]): Promise<AccuracyOutcome | RuleVerdict> {
  const out = await ctx.pool.run<RuleVerdict>(fn, args, ctx.timeouts.verifyMs);
  if (out.ok) return out.value;
  return undef(out.failure === 'timeout' ? 'verify-timeout' : 'verify-error');
}

async function mathAccuracy(ctx: AccuracyContext, s: ScorerSample, answer: string | null): Promise<AccuracyOutcome> {
  const gold = s.reference.answer;
  if (typeof gold !== 'string' || gold.trim() === '') return undef('no-reference');
  if (answer === null || answer.trim() === '') return unparseable(ctx, verdict(ctx, false));
  return ruleThenModel(ctx, s, answer, async () => {
    // Plain numbers on both sides are decided by verifyMath's exact-rational fast path in microseconds, less than a
    // worker round trip; everything else (LaTeX, expressions, the CAS) goes to the killable workers.
    const extracted = extractAnswer(answer);
    const goldAnswer = extractAnswer(gold);
    if (extracted !== null && goldAnswer !== null && PLAIN_NUMBER.test(extracted) && PLAIN_NUMBER.test(goldAnswer)) {
      return verifyMathAnswer(gold, answer);
    }
    return inWorker(ctx, 'verifyMathAnswer', [gold, answer]);
  });
}

async function stemAccuracy(ctx: AccuracyContext, s: ScorerSample, answer: string | null): Promise<AccuracyOutcome> {
  const g = golds(s);
  if (g.length === 0) return undef('no-reference');
  if (answer === null || answer.trim() === '') return unparseable(ctx, verdict(ctx, false));
  return ruleThenModel(ctx, s, answer, () => inWorker(ctx, 'verifyStemAnswer', [g, answer]));
}

function qaAccuracy(ctx: AccuracyContext, s: ScorerSample, answer: string | null): AccuracyOutcome {
  const g = golds(s);
  if (g.length === 0) return undef('no-reference');
  if (answer === null || answer.trim() === '') return unparseable(ctx, verdict(ctx, false));
  // In this thread: normalisation and set membership are linear in the (bounded) answer, nothing to hang on, and a
  // worker round trip would cost more than the match (measured in bench/rewards.ts).
  return { value: verdict(ctx, matchQa(answer, g)) };
}

async function codeAccuracy(ctx: AccuracyContext, s: ScorerSample): Promise<AccuracyOutcome> {
  if (s.reference.tests === undefined) return undef('no-reference');
  let tests: ReturnType<typeof parseCodeTests>;
  try {
    tests = parseCodeTests(s.reference.tests);
  } catch (err) {
    return undef('bad-tests', { reason: `bad-tests: ${(err as Error).message}` });
  }
  const program = extractProgram(s.response, { answerTag: ctx.answerTag });
  if (program === null) return unparseable(ctx, verdict(ctx, false));
  const key = JSON.stringify([program, s.reference.tests]);
  let outcome = ctx.codeRuns.get(key);
  if (!outcome) {
    outcome = runProgram(ctx, program, tests);
    ctx.codeRuns.set(key, outcome);
  }
  return { ...(await outcome) };
}

/** The program under its tests in the sandbox, bounded by the scorer's code timeout besides the sandbox's limits. */
function runProgram(ctx: AccuracyContext, program: string, tests: ReturnType<typeof parseCodeTests>) {
  return ctx.codeLane.run(async () => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ctx.timeouts.codeMs);
    });
    try {
      const run = runTests(program, tests, { pool: ctx.sandbox?.pool, limits: ctx.sandbox?.limits });
      const r = await Promise.race([run, deadline]);
      if (r === 'timeout') {
        run.catch(() => {}); // it finishes (or fails) later under the sandbox's own limits; nobody waits for it
        return undef('code-timeout');
      }
      const fraction = r.total > 0 ? r.passed / r.total : 0;
      // Not the program's fault (no bwrap, no user namespaces): neither reward nor punish (rewards/sandbox/types.ts).
      if (r.status === 'sandbox-error') return undef('sandbox-error');
      return { value: verdict(ctx, r.status === 'passed'), testsPassedFraction: fraction };
    } catch (err) {
      // A program the sandbox refuses (e.g. over its size cap) is the policy's doing: wrong, not undefined.
      if (err instanceof SandboxInputError)
        return { value: verdict(ctx, false), reason: `program-rejected: ${err.message}` };
      return undef('sandbox-error');
    } finally {
      clearTimeout(timer);
    }
  });
}

async function writingAccuracy(ctx: AccuracyContext, s: ScorerSample, answer: string | null): Promise<AccuracyOutcome> {
  const scorer = ctx.taskScorer(s);
  const { correct, incorrect } = ctx.rewards.verifiable;
  if (scorer === 'constraints' || scorer === 'length-biased') {
    let constraints: ReturnType<typeof parseConstraints>;
    try {
      constraints = parseConstraints(s.reference.constraints);
    } catch (err) {
      return undef('bad-constraints', { reason: `bad-constraints: ${(err as Error).message}` });
    }
    // An empty answer satisfies 'exclude-words' and 'no-commas' vacuously: it is no answer, not a partial one.
    if (answer === null || answer.trim() === '') return unparseable(ctx, incorrect);
    const fraction =
      scorer === 'constraints'
        ? scoreConstraints(answer, constraints).score
        : scoreLengthBiased(answer, constraints).score;
    return { value: constraintAccuracy(fraction, { correct, incorrect }) };
  }
  const judge = ctx.judge;
  if (!judge) return undef('no-judge');
  const mode = judge.options.mode;
  const ref = s.reference.answer;
  if ((mode === 'pairwise' || mode === 'verify') && (typeof ref !== 'string' || ref.trim() === ''))
    return undef('no-reference');
  if (answer === null || answer.trim() === '') {
    // "Incorrect" on the judge's own scale: its minimum score, a loss, or a 'not equivalent' verdict.
    const worst = mode === 'scalar' ? judge.options.scoreRange.min : mode === 'pairwise' ? 0 : incorrect;
    return unparseable(ctx, worst);
  }
  const j = await judged<number | boolean>(ctx, (jc, signal) =>
    mode === 'scalar'
      ? jc.scoreScalar({ question: s.prompt, answer }, signal)
      : mode === 'pairwise'
        ? jc.comparePairwise({ question: s.prompt, answer, reference: ref as string }, signal)
        : jc.verifyEquivalence({ question: s.prompt, reference: ref as string, answer }, signal)
  );
  if (!('result' in j)) return undef('no-judge');
  const r = j.result;
  if (r.value === null) return undef(judgeFailure(r), { judgeLatencyMs: r.latencyMs });
  const value = typeof r.value === 'boolean' ? verdict(ctx, r.value) : r.value;
  return { value, judgeLatencyMs: r.latencyMs };
}

/** R_acc of one sample; `answer` is the answer-tag content (null when there is no complete answer block). */
export function accuracyOf(ctx: AccuracyContext, s: ScorerSample, answer: string | null): Promise<AccuracyOutcome> {
  switch (s.kind) {
    case 'math':
      return mathAccuracy(ctx, s, answer);
    case 'stem':
      return stemAccuracy(ctx, s, answer);
    case 'qa':
      return Promise.resolve(qaAccuracy(ctx, s, answer));
    case 'code':
      return codeAccuracy(ctx, s);
    case 'writing':
      return writingAccuracy(ctx, s, answer);
  }
}
