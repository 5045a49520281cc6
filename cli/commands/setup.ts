/**
 * `omni-zero setup`: installs what the CLI's commands start (Temporal CLI, S3 server, the code sandbox's system
 * packages) into the per-user tool cache; a no-op for what is already there. In a checkout it is `npm run setup`.
 */
import type { Command } from 'commander';
import { runSetup } from '../run-setup.ts';

export function register(program: Command): void {
  program
    .command('setup')
    .description('install the tools the local stack needs (Temporal CLI, S3 server, sandbox packages); idempotent')
    .option('--only <steps>', 'comma-separated steps, e.g. temporalCli,s3-server')
    .action(async (o: { only?: string }) => {
      await runSetup(o.only === undefined ? [] : [`--only=${o.only}`]);
    });
}
