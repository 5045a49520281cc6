/**
 * The functions the scorer's worker threads run (loaded by pool-worker.ts). Results are plain JSON so they cross the
 * thread boundary unchanged.
 */
import { verifyMath } from '../math/index.ts';
import { matchQa } from '../qa/index.ts';

export interface RuleVerdict {
  equivalent: boolean;
  /** Which verifier decided and why, for logs. */
  reason: string;
}

/** SPEC §2 math: the answer content against the gold answer (extraction of the last \boxed{} is verifyMath's job). */
export function verifyMathAnswer(gold: string, answer: string, timeoutMs?: number): RuleVerdict {
  const r = verifyMath(gold, answer, timeoutMs === undefined ? undefined : { timeoutMs });
  return { equivalent: r.equivalent, reason: `math/${r.path}: ${r.reason}` };
}

/** SPEC §2 QA (OT §3.1): normalised string match against the gold text or any accepted answer. */
export function matchQaAnswer(answer: string, gold: string[]): RuleVerdict {
  const ok = matchQa(answer, gold);
  return { equivalent: ok, reason: ok ? 'qa: matched' : 'qa: no match' };
}

/**
 * STEM (General-Reasoner's domain): mathematical equivalence first (numbers, units, expressions), then the QA string
 * match for answers that are words; the model-based verifier, if enabled, runs after both reject (in the scorer).
 */
export function verifyStemAnswer(gold: string[], answer: string, timeoutMs?: number): RuleVerdict {
  for (const g of gold) {
    const m = verifyMathAnswer(g, answer, timeoutMs);
    if (m.equivalent) return m;
  }
  return matchQaAnswer(answer, gold);
}
