/** `omni-zero validate FILE`: checks an experiment config and prints its plan, or every problem with its path. */
import type { Command } from 'commander';
import { planSummary, stagePlan } from '../../schemas/plan.ts';
import { readExperimentFile } from '../experiment-file.ts';

export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'Validate an experiment config (YAML or JSON): prints a one-line JSON summary, or every problem as `path: message` on stderr (exit 1)'
    )
    .argument('<file>', 'experiment config, e.g. examples/demo.yaml')
    .option('--resolved', 'print the whole config with every default applied instead of the summary')
    .action(async (file: string, options: { resolved?: boolean }) => {
      const result = await readExperimentFile(file);
      if (!result.ok) {
        const header = result.kind === 'invalid' ? [`${file}: ${result.problems.length} problem(s):`] : [];
        process.stderr.write(`${[...header, ...result.problems].join('\n')}\n`);
        process.exitCode = 1;
        return;
      }
      const { config, hash } = result;
      if (options.resolved) {
        process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
        return;
      }
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
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}
