/**
 * `omni-zero demo` (what `npm run demo` runs): brings up the local Temporal dev server with its Web UI (left running
 * afterwards so the run stays browsable), runs this process's workers, starts `examples/demo.yaml` as an experiment
 * workflow, prints the Web UI link and follows it to the end.
 */
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import type { Command } from 'commander';
import { ensureTemporal } from '../../infra/dev-stack.ts';
import { ROOT } from '../../infra/paths.mjs';
import { createWorkers } from '../../workers/create-workers.ts';
import { installRuntime } from '../../workers/runtime.ts';
import { ALL_ROLES } from '../../workers/task-queues.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { readExperimentFile } from '../experiment-file.ts';
import { startExperiment } from '../start-experiment.ts';
import { connectClient } from '../temporal-client.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the embedded demo experiment on a local Temporal dev server (started if needed)')
    .option('--config <file>', 'experiment config', path.join(ROOT, 'examples', 'demo.yaml'))
    .action(async (opts: { config: string }) => {
      const say = (m: string) => process.stderr.write(`[demo] ${m}\n`);
      const read = await readExperimentFile(opts.config);
      if (!read.ok) throw new Error(`${opts.config}: ${read.problems.join('; ')}`);
      installRuntime('WARN');
      const temporal = await ensureTemporal(say);
      say(`Temporal ${temporal.address}, Web UI ${temporal.uiUrl}`);
      const nativeConnection = await NativeConnection.connect({ address: temporal.address });
      const queues = read.config.orchestration.taskQueues;
      const workers = await createWorkers({
        connection: nativeConnection,
        roles: ALL_ROLES,
        taskQueues: { main: queues.workflow, gpu: queues.gpu, cpu: queues.cpu, io: queues.io },
      });
      const running = workers.map((w) => w.run());
      const { client, connection } = await connectClient(temporal.address, read.config.orchestration.namespace);
      try {
        const run = await startExperiment(client, read, { file: opts.config, uiBase: temporal.uiUrl });
        say(`started ${run.workflowId}: ${run.summary}`);
        say(`watch it in the Web UI: ${run.ui}`);
        const result = (await run.handle.result()) as ExperimentResult;
        for (const s of result.plan.stages) {
          const windows = s.windows.map((w) => `${w.maxTokens}@${w.fromStep}`).join(' ');
          say(`  stage ${s.index + 1} ${s.name.padEnd(8)} steps ${s.startStep}–${s.endStep - 1}  window ${windows}`);
        }
        console.log(
          JSON.stringify({ workflowId: run.workflowId, ui: run.ui, status: result.status, summary: result.summary })
        );
        say(`done; the dev server keeps running for the Web UI (stop it with 'omni-zero server stop')`);
      } finally {
        for (const w of workers) w.shutdown();
        await Promise.all(running);
        await connection.close();
        await nativeConnection.close();
      }
    });
}
