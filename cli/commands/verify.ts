/**
 * `omni-zero verify math --gold G --pred P` (one verdict as JSON) or `--jsonl FILE` (rows `{"id","gold","prediction"}`
 * in, one `{"id","equivalent","ms"}` per row out; a bad row gives `{"id","error"}` and the run continues).
 * `omni-zero verify qa --answer A --gold G [--gold G2 …]` checks the QA matcher the same way.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { type PercentPolicy, type VerifyMathOptions, verifyMath, warmUpCas } from '../../rewards/math/index.ts';
import { matchQa } from '../../rewards/qa/index.ts';

interface MathFlags {
  gold?: string;
  pred?: string;
  jsonl?: string;
  timeoutMs?: string;
  percentPolicy?: string;
  approxDigits?: string;
  relativeTolerance?: string;
  answerTag?: string;
}

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${flag} must be a non-negative number (got '${value}')`);
  return n;
}

function options(flags: MathFlags): VerifyMathOptions {
  const policies = ['lenient', 'strip', 'fraction', 'strict'];
  if (flags.percentPolicy !== undefined && !policies.includes(flags.percentPolicy)) {
    throw new Error(`--percent-policy must be one of ${policies.join(', ')} (got '${flags.percentPolicy}')`);
  }
  return {
    timeoutMs: positiveNumber(flags.timeoutMs, '--timeout-ms'),
    percentPolicy: flags.percentPolicy as PercentPolicy | undefined,
    approxMinSignificantDigits: positiveNumber(flags.approxDigits, '--approx-digits'),
    relativeTolerance: positiveNumber(flags.relativeTolerance, '--relative-tolerance'),
    tags: flags.answerTag ? { answerTag: flags.answerTag } : undefined,
  };
}

/** Where results go: stdout for the CLI; tests pass their own sink. */
export interface Output {
  write(text: string): unknown;
}

async function verifyJsonl(file: string, opts: VerifyMathOptions, out: Output): Promise<void> {
  const input = file === '-' ? process.stdin : createReadStream(file, { encoding: 'utf8' });
  await new Promise<void>((resolve, reject) => {
    input.once('error', reject);
    if (file === '-') resolve();
    else (input as ReturnType<typeof createReadStream>).once('open', () => resolve());
  }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot read --jsonl ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  // The CAS worker loads once up front, so no row spends its time budget on start-up.
  warmUpCas();
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    let row: any;
    try {
      row = JSON.parse(line);
    } catch {
      out.write(`${JSON.stringify({ id: null, line: lineNo, error: 'not valid JSON' })}\n`);
      continue;
    }
    const id = row && typeof row === 'object' && 'id' in row ? row.id : null;
    if (!row || typeof row !== 'object' || typeof row.gold !== 'string' || typeof row.prediction !== 'string') {
      const error = 'row must be an object with string fields "gold" and "prediction"';
      out.write(`${JSON.stringify({ id, line: lineNo, error })}\n`);
      continue;
    }
    const v = verifyMath(row.gold, row.prediction, opts);
    out.write(`${JSON.stringify({ id, equivalent: v.equivalent, ms: Math.round(v.ms * 1000) / 1000 })}\n`);
  }
}

export function register(program: Command, out: Output = process.stdout): void {
  const verify = program.command('verify').description('run a rule-based verifier on given answers');
  verify
    .command('math')
    .description('is the predicted answer mathematically equivalent to the gold answer? (prints JSON)')
    .option('--gold <latex>', 'reference answer')
    .option('--pred <text>', 'prediction: a bare answer or a whole response with <answer> tags / \\boxed{}')
    .option('--jsonl <file>', 'rows {"id","gold","prediction"}, one per line ("-" for stdin)')
    .option('--timeout-ms <ms>', 'time budget per verification (default 1000)')
    .option('--percent-policy <policy>', 'lenient | strip | fraction | strict (default lenient)')
    .option('--approx-digits <n>', 'significant digits a decimal needs to stand for 1/3, sqrt(2), pi (default 6)')
    .option('--relative-tolerance <x>', 'accept numbers within this relative difference (default 0: exact)')
    .option('--answer-tag <name>', 'answer tag of the response template (default answer)')
    .action(async (flags: MathFlags) => {
      const opts = options(flags);
      if (flags.jsonl !== undefined) {
        if (flags.gold !== undefined || flags.pred !== undefined)
          throw new Error('use either --jsonl or --gold/--pred, not both');
        await verifyJsonl(flags.jsonl, opts, out);
        return;
      }
      if (flags.gold === undefined || flags.pred === undefined) {
        throw new Error('give --gold and --pred (or --jsonl FILE)');
      }
      warmUpCas();
      out.write(`${JSON.stringify(verifyMath(flags.gold, flags.pred, opts))}\n`);
    });
  verify
    .command('qa')
    .description('does the answer match one of the gold answers after QA normalisation? (prints JSON)')
    .requiredOption('--answer <text>', 'the model answer (or a response with <answer> tags)')
    .requiredOption('--gold <text...>', 'accepted answer(s)')
    .action((flags: { answer: string; gold: string[] }) => {
      out.write(`${JSON.stringify({ match: matchQa(flags.answer, flags.gold) })}\n`);
    });
}
