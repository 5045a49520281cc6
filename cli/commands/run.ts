/** `omni-zero run FILE [--wait]`: validates a config locally, then starts its `experiment` workflow on Temporal. */
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { checkRunId } from '../../report/load.ts';
import { readExperimentFile } from '../experiment-file.ts';
import { hasWorker, startExperiment } from '../start-experiment.ts';
import { connectClient } from '../temporal-client.ts';
import { type ConnectionFlags, withConnectionFlags } from '../temporal-connection.ts';
import { watchRun } from '../watch-run.ts';

export function register(program: Command): void {
  const command = program
    .command('run')
    .description('start an experiment from its config file (validated first); prints the run id and its Web UI link')
    .argument('<file>', 'experiment config (YAML or JSON), e.g. examples/demo.yaml')
    .option('--wait', 'wait for the run to finish and print its result; shows its progress on stderr meanwhile')
    .option('--no-progress', 'with --wait: no progress display')
    .option('--id <workflowId>', 'workflow id (default <experiment>-<date>-<time>-<random>)')
    .option('--ui <url>', 'Web UI base for the printed link (default OMNI_ZERO_TEMPORAL_UI or http://127.0.0.1:8233)');
  withConnectionFlags(command).action(
    async (file: string, opts: ConnectionFlags & { wait?: boolean; progress: boolean; id?: string; ui?: string }) => {
      if (opts.id !== undefined) checkRunId(opts.id);
      const read = await readExperimentFile(file);
      if (!read.ok) {
        process.stderr.write(
          `${file}: not started, ${read.problems.length} problem(s):\n${read.problems.join('\n')}\n`
        );
        process.exitCode = 1;
        return;
      }
      const { client, connection, namespace } = await connectClient(opts, read.config.orchestration.namespace);
      try {
        const run = await startExperiment(client, read, { file, workflowId: opts.id, uiBase: opts.ui });
        const { handle, ...printable } = run;
        console.log(JSON.stringify({ ...printable, runId: handle.firstExecutionRunId }));
        if ((await hasWorker(client, namespace, run.taskQueue)) === false) {
          process.stderr.write(
            `note: no worker is polling '${run.taskQueue}' yet; start one with 'omni-zero worker'\n`
          );
        }
        if (!opts.wait) return;
        // stdout carries the two JSON lines (start, result); the live view goes to stderr.
        if (opts.progress) await watchRun(handle, { stream: process.stderr });
        try {
          console.log(JSON.stringify(await handle.result()));
        } catch (err) {
          if (!(err instanceof WorkflowFailedError)) throw err;
          process.stderr.write(`run ${run.workflowId} failed: ${err.cause?.message ?? err.message}\n`);
          process.exitCode = 1;
        }
      } finally {
        await connection.close();
      }
    }
  );
}
