/**
 * `omni-zero length-penalty --think N --answer M [--config FILE] [--variant paper|continuous]`: GZ eq. 5–7 for one
 * pair of token lengths, printed as JSON `{"think":…,"answer":…,"total":…}` — for checking a config's knobs by hand.
 */
import type { Command } from 'commander';
import { type LengthPenaltyOptions, lengthPenalty } from '../../rl/length-penalty.ts';
import { readExperimentFile } from '../experiment-file.ts';

function tokens(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new Error(`${flag} must be a whole number of tokens >= 0 (got '${value}')`);
  }
  return Number(value);
}

async function knobsFrom(file: string): Promise<LengthPenaltyOptions> {
  const result = await readExperimentFile(file);
  if (!result.ok) {
    if (result.kind !== 'invalid') throw new Error(result.problems.join('; '));
    throw new Error(
      `${file} is not a valid experiment config: ${result.problems.join('; ')} (see: omni-zero validate ${file})`
    );
  }
  const { lMax, lCache, answerMin, answerMax, lambda, variant } = result.config.rewards.lengthPenalty;
  return { lMax, lCache, answerMin, answerMax, lambda, variant };
}

/** `write` receives the JSON line (tests capture it; the node test runner owns the real stdout). */
export function register(program: Command, write: (line: string) => void = (line) => process.stdout.write(line)): void {
  program
    .command('length-penalty')
    .description(
      "GZ §3.3 smooth length penalty (eq. 5–7) for given think/answer token lengths, as JSON; knobs from the config's rewards.lengthPenalty (default: the paper's)"
    )
    .requiredOption('--think <tokens>', 'think content length, policy tokens')
    .requiredOption('--answer <tokens>', 'answer content length, policy tokens')
    .option('--config <file>', 'experiment config (YAML or JSON) whose rewards.lengthPenalty knobs to use')
    .option('--variant <name>', "override the variant: 'paper' (eq. 6 as printed) or 'continuous'")
    .action(async (opts: { think: string; answer: string; config?: string; variant?: string }) => {
      const thinkTokens = tokens('--think', opts.think);
      const answerTokens = tokens('--answer', opts.answer);
      const knobs = opts.config === undefined ? {} : await knobsFrom(opts.config);
      if (opts.variant !== undefined) {
        if (opts.variant !== 'paper' && opts.variant !== 'continuous') {
          throw new Error(`--variant must be 'paper' or 'continuous' (got '${opts.variant}')`);
        }
        knobs.variant = opts.variant;
      }
      write(`${JSON.stringify(lengthPenalty({ thinkTokens, answerTokens }, knobs))}\n`);
    });
}
