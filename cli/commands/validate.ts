/** `omni-zero validate FILE`: checks an experiment config and prints its plan, or every problem with its path. */
import type { Command } from 'commander';
import { planSummary, stagePlan } from '../../schemas/plan.ts';
import { readExperimentFile } from '../experiment-file.ts';

export interface ValidateOutput {
  /** Process exit code: 0 valid, 1 anything else. */
  code: number;
  stdout: string;
  stderr: string;
}

/** The whole command minus the process: what it would print and its exit code. */
export async function validate(file: string, options: { resolved?: boolean } = {}): Promise<ValidateOutput> {
  const result = await readExperimentFile(file);
  if (!result.ok) {
    const header = result.kind === 'invalid' ? [`${file}: ${result.problems.length} problem(s):`] : [];
    return { code: 1, stdout: '', stderr: `${[...header, ...result.problems].join('\n')}\n` };
  }
  const { config, hash } = result;
  if (options.resolved) return { code: 0, stdout: `${JSON.stringify(config, null, 2)}\n`, stderr: '' };
  const plan = stagePlan(config);
  const summary = {
    ok: true,
    file,
    name: config.name,
    schedule: config.schedule.kind,
    stages: plan.stages.map((s) => ({ name: s.name, tasks: s.tasks.map((t) => t.task), steps: s.steps })),
    totalSteps: plan.totalSteps,
    configHash: hash,
    summary: planSummary(config),
  };
  return { code: 0, stdout: `${JSON.stringify(summary)}\n`, stderr: '' };
}

export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'Validate an experiment config (YAML or JSON): prints a one-line JSON summary, or every problem as `path: message` on stderr (exit 1)'
    )
    .argument('<file>', 'experiment config, e.g. examples/demo.yaml')
    .option('--resolved', 'print the whole config with every default applied instead of the summary')
    .action(async (file: string, options: { resolved?: boolean }) => {
      const out = await validate(file, options);
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      process.exitCode = out.code;
    });
}
