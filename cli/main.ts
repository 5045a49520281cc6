/** The `omni-zero` command. Each subcommand lives in cli/commands/<name>.ts and registers itself via the list below. */
import { Command } from 'commander';
import { commands } from './commands/index.ts';

const program = new Command('omni-zero')
  .description('Multi-task zero-RL post-training as durable Temporal workflows')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) });

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // A usage or input problem: one readable line, exit 1 (commands set their own exit code where it means more).
  console.error(`omni-zero: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = process.exitCode || 1;
}
