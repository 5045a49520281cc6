/** `omni-zero sweep FILE [--wait]`: validates a sweep and every variant × seed, then starts its `sweep` workflow. */
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { checkRunId } from '../../report/load.ts';
import { renderComparisonText } from '../../report/sweep.ts';
import type { SweepResult } from '../../workflows/sweep.ts';
import { newRunId } from '../run-id.ts';
import { readSweepFile } from '../sweep-file.ts';
import { connectClient, uiLink } from '../temporal-client.ts';
import { type ConnectionFlags, withConnectionFlags } from '../temporal-connection.ts';

interface SweepOptions extends ConnectionFlags {
  wait?: boolean;
  id?: string;
  ui?: string;
}

export function register(program: Command): void {
  const command = program
    .command('sweep')
    .description('run an ablation: every variant × seed of a sweep file as a child experiment, then one comparison')
    .argument('<file>', 'sweep config (YAML or JSON), e.g. examples/sweeps/demo-order.yaml')
    .option('--wait', 'wait for the sweep to finish and print its comparison')
    .option('--id <workflowId>', 'workflow id, also the prefix of the runs (default <sweep>-<date>-<time>-<random>)')
    .option('--ui <url>', 'Web UI base for the printed link (default OMNI_ZERO_TEMPORAL_UI or http://127.0.0.1:8233)');
  withConnectionFlags(command).action(async (file: string, opts: SweepOptions) => {
    if (opts.id !== undefined) checkRunId(opts.id);
    const read = await readSweepFile(file);
    if (!read.ok) {
      process.stderr.write(`${file}: not started, ${read.problems.length} problem(s):\n${read.problems.join('\n')}\n`);
      process.exitCode = 1;
      return;
    }
    const { sweep, runs } = read.parsed;
    const orchestration = runs[0].config.orchestration;
    const { client, connection, namespace } = await connectClient(opts, orchestration.namespace);
    try {
      const workflowId = opts.id ?? newRunId(sweep.name);
      const handle = await client.workflow.start('sweep', {
        taskQueue: orchestration.taskQueues.workflow,
        workflowId,
        args: [{ sweep: read.raw, sweepId: workflowId }],
        staticSummary: `sweep ${sweep.name}: ${sweep.variants.length} variant(s) × ${runs.length / sweep.variants.length} seed(s)`,
      });
      const uiBase = opts.ui ?? process.env.OMNI_ZERO_TEMPORAL_UI ?? 'http://127.0.0.1:8233';
      console.log(JSON.stringify({ workflowId, runs: runs.length, ui: uiLink(uiBase, workflowId, namespace) }));
      if (!opts.wait) return;
      try {
        const result = (await handle.result()) as SweepResult;
        process.stderr.write(`\n${renderComparisonText(result.comparison)}\n\n`);
        for (const r of result.runs.filter((x) => x.status === 'failed'))
          process.stderr.write(`failed: ${r.runId}: ${r.error}\n`);
        console.log(JSON.stringify(result));
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        process.stderr.write(`sweep ${workflowId} failed: ${err.cause?.message ?? err.message}\n`);
        process.exitCode = 1;
      }
    } finally {
      await connection.close();
    }
  });
}
