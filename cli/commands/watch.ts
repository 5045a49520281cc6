/**
 * `omni-zero watch RUN`: live progress of a run until it ends — a bar on a terminal, one plain line per change
 * otherwise (`--json`: one JSON object per change) — then its final state; exit 1 if it failed or was terminated.
 */
import type { Command } from 'commander';
import { progressLine } from '../progress-view.ts';
import { connectClient } from '../temporal-client.ts';
import { type ConnectionFlags, withConnectionFlags } from '../temporal-connection.ts';
import { experimentHandle, failed, watchRun } from '../watch-run.ts';

export function register(program: Command): void {
  const command = program
    .command('watch')
    .argument('<run>', 'run id (workflow id)')
    .option('--interval <seconds>', 'how often to ask the run for its progress', '1')
    .option('--json', 'one JSON object per change (and the final state last) instead of the bar or lines')
    .description('follow a run live (stage, step / total, rewards per domain, window, ETA) until it ends');
  withConnectionFlags(command).action(
    async (run: string, o: ConnectionFlags & { interval: string; json?: boolean }) => {
      const seconds = Number(o.interval);
      if (!Number.isFinite(seconds) || seconds < 0.05)
        throw new Error(`--interval must be a number of seconds ≥ 0.05 (got '${o.interval}')`);
      const { client, connection } = await connectClient(o);
      try {
        const handle = await experimentHandle(client, run);
        const final = await watchRun(handle, { intervalMs: seconds * 1000, stream: process.stdout, json: o.json });
        if (o.json) console.log(JSON.stringify(final));
        else
          console.log(
            `${run} ended: ${final.workflowStatus.toLowerCase()}${final.progress ? ` — ${progressLine(run, final.progress)}` : ''}`
          );
        if (failed(final)) {
          process.stderr.write(`run ${run} ${final.workflowStatus.toLowerCase()}: ${final.failure ?? 'no message'}\n`);
          process.exitCode = 1;
        }
      } finally {
        await connection.close();
      }
    }
  );
}
