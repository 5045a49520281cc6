/** `omni-zero ls [--experiment NAME] [--status S] [--limit N] [--json]`: runs, newest first, from search attributes. */
import type { Command } from 'commander';
import { listRuns, runTable } from '../list-runs.ts';
import { connectClient } from '../temporal-client.ts';
import { type ConnectionFlags, withConnectionFlags } from '../temporal-connection.ts';

export function register(program: Command): void {
  const command = program
    .command('ls')
    .option('--experiment <name>', "only this experiment's runs")
    .option('--status <status>', 'running, completed, failed, terminated… or a run status: training, paused, stopped…')
    .option('--limit <n>', 'at most this many runs', '20')
    .option('--json', 'a JSON array instead of the table')
    .description('list runs: id, experiment, status, stage, step / total, reward, started');
  withConnectionFlags(command).action(
    async (o: ConnectionFlags & { experiment?: string; status?: string; limit: string; json?: boolean }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new Error(`--limit must be a whole number ≥ 1 (got '${o.limit}')`);
      const { client, connection } = await connectClient(o);
      try {
        const rows = await listRuns(client, { experiment: o.experiment, status: o.status, limit });
        if (o.json) console.log(JSON.stringify(rows));
        else if (rows.length === 0) console.log('no runs match');
        else console.log(runTable(rows));
      } finally {
        await connection.close();
      }
    }
  );
}
