/**
 * Steering a running experiment: `omni-zero pause|resume|stop RUN`, `omni-zero adjust RUN --lr X --stage-steps N`.
 * RUN is the workflow id printed by `omni-zero run`. (`status` and `watch` are in their own files.)
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { type Command, InvalidArgumentError } from 'commander';
import { checkRunId } from '../../report/load.ts';
import { type Adjustment, adjustUpdate, pauseSignal, resumeSignal, stopSignal } from '../../workflows/messages.ts';
import { connectClient } from '../temporal-client.ts';
import { type ConnectionFlags, withConnectionFlags } from '../temporal-connection.ts';
import { resumeEndedRun } from './resume-run.ts';

async function withRun<T>(
  run: string,
  flags: ConnectionFlags,
  fn: (h: ReturnType<Awaited<ReturnType<typeof connectClient>>['client']['workflow']['getHandle']>) => Promise<T>
): Promise<T> {
  const { client, connection } = await connectClient(flags);
  try {
    const handle = client.workflow.getHandle(run);
    const d = await handle.describe().catch((err) => {
      throw new Error(`no run '${run}' (${(err as Error).message}); list runs with 'temporal workflow list'`);
    });
    if (d.type !== 'experiment') throw new Error(`'${run}' is a ${d.type} workflow, not an experiment run`);
    return await fn(handle);
  } finally {
    await connection.close();
  }
}

// The run checks an adjustment's range against its state (validateAdjustment); text that is no number at all is
// caught here, before any connection, and named as typed (NaN would reach the run as null).
function aNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return n;
}

export function register(program: Command): void {
  const signalCommand = (name: 'pause' | 'stop', signal: typeof pauseSignal, description: string) =>
    withConnectionFlags(
      program.command(name).argument('<run>', 'run id (workflow id)').description(description)
    ).action(async (run: string, o: ConnectionFlags) => {
      await withRun(run, o, (h) => h.signal(signal, {}));
      console.log(JSON.stringify({ run, signal: name }));
    });
  signalCommand('pause', pauseSignal, 'hold a run at its next step boundary');
  signalCommand('stop', stopSignal, 'stop a run gracefully at its next step boundary, with a final checkpoint');
  withConnectionFlags(
    program
      .command('resume')
      .argument('<run>', 'run id (workflow id)')
      .option(
        '--id <workflowId>',
        'workflow id of the new run when RUN ended (default <experiment>-<date>-<time>-<random>)'
      )
      .description(
        'continue a paused run; or, when RUN failed, was terminated, timed out or was cancelled, start a new run linked to it from its newest valid checkpoint'
      )
  ).action(async (run: string, o: ConnectionFlags & { id?: string }) => {
    if (o.id !== undefined) checkRunId(o.id);
    const { client, connection } = await connectClient(o);
    try {
      const d = await client.workflow
        .getHandle(run)
        .describe()
        .catch((err) => {
          throw new Error(`no run '${run}' (${(err as Error).message}); list runs with 'temporal workflow list'`);
        });
      if (d.type !== 'experiment') throw new Error(`'${run}' is a ${d.type} workflow, not an experiment run`);
      if (d.status.name === 'RUNNING') {
        await client.workflow.getHandle(run).signal(resumeSignal);
        console.log(JSON.stringify({ run, signal: 'resume' }));
        return;
      }
      console.log(JSON.stringify(await resumeEndedRun(client, run, { workflowId: o.id })));
    } finally {
      await connection.close();
    }
  });
  withConnectionFlags(
    program
      .command('adjust')
      .argument('<run>', 'run id (workflow id)')
      .option('--lr <rate>', 'new learning rate from the next step on', aNumber)
      .option('--stage-steps <n>', 'new step budget of the stage in progress', aNumber)
      .description(
        'change the learning rate or the current stage budget (validated by the run; rejected with a reason)'
      )
  ).action(async (run: string, o: ConnectionFlags & { lr?: number; stageSteps?: number }) => {
    if (o.lr === undefined && o.stageSteps === undefined)
      throw new Error('adjust needs --lr <rate> and/or --stage-steps <n>: nothing to change');
    const a: Adjustment = {
      ...(o.lr !== undefined ? { learningRate: o.lr } : {}),
      ...(o.stageSteps !== undefined ? { stageSteps: o.stageSteps } : {}),
    };
    try {
      const result = await withRun(run, o, (h) => h.executeUpdate(adjustUpdate, { args: [a] }));
      console.log(JSON.stringify({ run, adjusted: result }));
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError)
        throw new Error(`adjust rejected: ${err.cause?.message ?? err.message}`);
      throw err;
    }
  });
}
