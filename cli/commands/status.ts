/**
 * `omni-zero status RUN`: where a run is, as one JSON object on stdout: Temporal's execution status, the `progress`
 * query (stage, step / total, window, last metrics, ETA), the search attributes, and the failure of a failed run.
 * On a terminal it also prints the one-line human form on stderr.
 */
import type { Command } from 'commander';
import { progressLine } from '../progress-view.ts';
import { connectClient } from '../temporal-client.ts';
import { type ConnectionFlags, withConnectionFlags } from '../temporal-connection.ts';
import { experimentHandle, runState } from '../watch-run.ts';

export function register(program: Command): void {
  const command = program
    .command('status')
    .argument('<run>', 'run id (workflow id)')
    .description('print where a run is: stage, step / total, window, last metrics, ETA');
  withConnectionFlags(command).action(async (run: string, o: ConnectionFlags) => {
    const { client, connection } = await connectClient(o);
    try {
      const state = await runState(await experimentHandle(client, run));
      console.log(JSON.stringify(state));
      if (process.stderr.isTTY && state.progress) process.stderr.write(`${progressLine(run, state.progress)}\n`);
    } finally {
      await connection.close();
    }
  });
}
