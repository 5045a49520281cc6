/** The `omni-zero` command. Subcommands live in cli/commands/<name>.ts, listed in cli/commands/index.ts. */
import { Command } from 'commander';
import { type CommandModule, commandModules } from './commands/index.ts';
import { isMissingCredentials, missingCredentialsMessage, useLocalStack } from './local-stack.ts';

const program = new Command('omni-zero')
  .description('Multi-task zero-RL post-training as durable Temporal workflows')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(str) });

/** The module that registers the command named on the command line; all of them when none matches (help, typos). */
function modulesFor(argv: string[]): CommandModule[] {
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  const one = commandModules.find((m) => name !== undefined && m.names.includes(name));
  return one ? [one] : commandModules;
}

const wanted = modulesFor(process.argv);
const loaded = await Promise.allSettled(wanted.map((m) => m.load()));
loaded.forEach((r, i) => {
  if (r.status === 'fulfilled') r.value.register(program);
  else if (wanted.length === 1) {
    console.error(
      `omni-zero: the '${wanted[i].names[0]}' command failed to load: ${(r.reason as Error)?.message ?? r.reason}`
    );
    process.exit(1);
  }
  // With every module loaded (help), a broken one is left out rather than breaking the rest.
});

const found = await useLocalStack();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  // A usage or input problem: one readable line, exit 1 (commands set their own exit code where it means more).
  const message = isMissingCredentials(err)
    ? missingCredentialsMessage(found)
    : err instanceof Error
      ? err.message
      : String(err);
  console.error(`omni-zero: ${message}`);
  process.exitCode = process.exitCode || 1;
}
