/**
 * Whether one response answers one dataset row correctly, by the task's real verifier (SPEC §2): math by verifyMath,
 * QA by matchQa against the gold set, STEM by math then QA, code by running the extracted program against the row's
 * tests in the sandbox, writing by its rule-checked constraints (all satisfied). Used by the difficulty filter and to
 * check that the synthetic worlds' gold answers really score as correct.
 */
import { verifyMath } from '../rewards/math/index.ts';
import { matchQa } from '../rewards/qa/match.ts';
import { extractProgram } from '../rewards/sandbox/extract.ts';
import { parseCodeTests, type RunTestsOptions, runTests } from '../rewards/sandbox/run-tests.ts';
import { parseConstraints, scoreConstraints } from '../rewards/writing/constraints.ts';
import { parseResponse } from '../rl/template.ts';
import type { DatasetRow } from '../schemas/records/dataset-row.ts';
import { DataInputError } from './errors.ts';

export interface VerifyOptions {
  /** Reasoning tag name. Default 'think'. */
  thinkTag?: string;
  /** Answer tag name. Default 'answer'. */
  answerTag?: string;
  /** Sandbox options for code rows (pool, limits). Default: the sandbox's defaults. */
  sandbox?: RunTestsOptions;
  /** Per-call budget of the math verifier. Unit: ms. Default 1000. */
  mathTimeoutMs?: number;
}

export interface Verdict {
  correct: boolean;
  /** A few words on why, for logs. */
  reason: string;
}

function goldSet(row: DatasetRow): string[] {
  const gold = [...(row.reference !== undefined ? [row.reference] : []), ...(row.accepted ?? [])];
  if (gold.length === 0)
    throw new DataInputError(`row ${row.id}`, `a ${row.kind} row needs a reference to verify against`);
  return gold;
}

/** The answer content of a response; a bare text (no tags) is taken as the answer itself. */
function answerContent(response: string, opts: VerifyOptions): string | null {
  const answerTag = opts.answerTag ?? 'answer';
  if (!response.includes(`<${answerTag}>`)) return response;
  return parseResponse(response, { thinkTag: opts.thinkTag ?? 'think', answerTag }).answer;
}

export async function verifyResponse(row: DatasetRow, response: string, opts: VerifyOptions = {}): Promise<Verdict> {
  const tags = { answerTag: opts.answerTag ?? 'answer' };
  switch (row.kind) {
    case 'math': {
      let last = 'no gold answer';
      for (const g of goldSet(row)) {
        const v = verifyMath(g, response, { tags, timeoutMs: opts.mathTimeoutMs });
        if (v.equivalent) return { correct: true, reason: `math: ${v.reason}` };
        last = v.reason;
      }
      return { correct: false, reason: `math: ${last}` };
    }
    case 'qa': {
      const answer = answerContent(response, opts);
      const ok = answer !== null && matchQa(answer, goldSet(row));
      return { correct: ok, reason: ok ? 'qa: matched' : 'qa: no match' };
    }
    case 'stem': {
      for (const g of goldSet(row)) {
        const v = verifyMath(g, response, { tags, timeoutMs: opts.mathTimeoutMs });
        if (v.equivalent) return { correct: true, reason: `math: ${v.reason}` };
      }
      const answer = answerContent(response, opts);
      const ok = answer !== null && matchQa(answer, goldSet(row));
      return { correct: ok, reason: ok ? 'qa: matched' : 'stem: no match' };
    }
    case 'code': {
      if (row.tests === undefined) throw new DataInputError(`row ${row.id}`, 'a code row needs tests');
      const program = extractProgram(response, tags);
      if (program === null) return { correct: false, reason: 'code: no program in the response' };
      const r = await runTests(program, parseCodeTests(row.tests), opts.sandbox);
      if (r.status === 'sandbox-error') {
        throw new DataInputError('sandbox', `cannot run code tests: ${r.stderrTail.slice(-200)}`);
      }
      return { correct: r.status === 'passed', reason: `code: ${r.status} ${r.passed}/${r.total}` };
    }
    case 'writing': {
      if (row.constraints === undefined) {
        throw new DataInputError(`row ${row.id}`, 'a writing row is rule-verifiable only with constraints');
      }
      const answer = answerContent(response, opts);
      if (answer === null) return { correct: false, reason: 'writing: no answer' };
      const s = scoreConstraints(answer, parseConstraints(row.constraints));
      return {
        correct: s.score === 1,
        reason: `writing: ${s.checks.filter((c) => c.satisfied).length}/${s.checks.length}`,
      };
    }
  }
}
