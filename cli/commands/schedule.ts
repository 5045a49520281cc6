/**
 * `omni-zero schedule create|list|describe|pause|unpause|trigger|delete`: recurring experiments as Temporal Schedules.
 * Every subcommand prints JSON on stdout; problems are one line on stderr saying what to fix, exit 1.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleNotFoundError } from '@temporalio/client';
import type { Command } from 'commander';
import { parseConfigText, readConfigFile, readExperimentFile } from '../experiment-file.ts';
import {
  createExperimentSchedule,
  DEFAULT_CATCHUP_WINDOW,
  describeJson,
  listSchedules,
  OVERLAP_NAMES,
  parseOverlap,
  type ScheduledWorkflow,
  ScheduleOptionsError,
  scheduledExperiment,
  scheduledSweep,
  scheduleOptions,
  triggerSchedule,
} from '../schedules.ts';
import { readSweepFile } from '../sweep-file.ts';
import { connectClient } from '../temporal-client.ts';
import { type ConnectionFlags, withConnectionFlags } from '../temporal-connection.ts';

function fail(message: string): void {
  console.error(message);
  process.exitCode = 1;
}

/** Runs `fn` with a client, turning the errors a person can act on into one line each. */
async function withClient(
  flags: ConnectionFlags,
  scheduleId: string | null,
  fn: (client: Client) => Promise<void>,
  configNamespace?: string
) {
  let connected: Awaited<ReturnType<typeof connectClient>>;
  try {
    connected = await connectClient(flags, configNamespace);
  } catch (err) {
    return fail((err as Error).message);
  }
  try {
    await fn(connected.client);
  } catch (err) {
    if (err instanceof ScheduleNotFoundError)
      return fail(`no schedule '${scheduleId}' in namespace '${connected.namespace}'; see 'omni-zero schedule list'`);
    if (err instanceof ScheduleAlreadyRunning)
      return fail(
        `a schedule '${scheduleId}' already exists; pass another --id or 'omni-zero schedule delete ${scheduleId}'`
      );
    if (err instanceof ScheduleOptionsError) return fail(err.message);
    // The server's own refusals (a malformed cron expression, say) carry their reason in `details`.
    const details = (err as { details?: string }).details;
    return fail(`schedule${scheduleId ? ` '${scheduleId}'` : ''}: ${details || (err as Error).message}`);
  } finally {
    await connected.connection.close();
  }
}

/** An experiment file, or a sweep file (a mapping with `variants`), validated as what it is. */
async function readScheduledFile(
  file: string
): Promise<{ ok: true; workflow: ScheduledWorkflow; namespace: string } | { ok: false; problems: string[] }> {
  const text = await readConfigFile(file);
  const doc = text.ok ? parseConfigText(text.text, file) : null;
  const isSweep = doc?.ok === true && typeof doc.value === 'object' && doc.value !== null && 'variants' in doc.value;
  if (isSweep) {
    const read = await readSweepFile(file);
    if (!read.ok) return read;
    return { ok: true, workflow: scheduledSweep(read), namespace: read.parsed.runs[0].config.orchestration.namespace };
  }
  const read = await readExperimentFile(file);
  if (!read.ok) return read;
  return { ok: true, workflow: scheduledExperiment(read), namespace: read.config.orchestration.namespace };
}

const print = (value: unknown) => console.log(JSON.stringify(value));
const overlapHelp = Object.keys(OVERLAP_NAMES).join('|');

export function register(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('recurring experiments: Temporal Schedules that start the experiment workflow on a cron or interval');
  const connection = withConnectionFlags;

  connection(
    schedule
      .command('create')
      .description(
        'validate FILE, then create a schedule that starts its experiment (or sweep); each run gets its own run id'
      )
      .argument('<file>', 'experiment config or sweep file (YAML or JSON)')
      .option('--cron <expr>', "cron expression in UTC, e.g. '0 3 * * *' or '@daily'")
      .option('--every <duration>', "fixed interval, e.g. '12h', '7d', '30s'")
      .option('--id <scheduleId>', 'schedule id (default <experiment>-schedule); runs are <id>-<action time>')
      .option('--overlap <policy>', `when a start comes while a run is going: ${overlapHelp} (default skip)`)
      .option(
        '--catchup-window <duration>',
        `how late a start missed during an outage may still run (default ${DEFAULT_CATCHUP_WINDOW})`
      )
      .option('--pause-on-failure', 'pause the schedule when a run fails')
      .option('--paused', 'create it paused')
      .option('--note <text>', 'note kept with the schedule state')
  ).action(
    async (
      file: string,
      opts: ConnectionFlags & {
        cron?: string;
        every?: string;
        id?: string;
        overlap?: string;
        catchupWindow?: string;
        pauseOnFailure?: boolean;
        paused?: boolean;
        note?: string;
      }
    ) => {
      const target = await readScheduledFile(file);
      if (!target.ok)
        return fail(
          `${file}: schedule not created, ${target.problems.length} problem(s):\n${target.problems.join('\n')}`
        );
      let overlap: ReturnType<typeof parseOverlap> | undefined;
      try {
        overlap = opts.overlap === undefined ? undefined : parseOverlap(opts.overlap);
      } catch (err) {
        return fail((err as Error).message);
      }
      const scheduleId = opts.id ?? `${target.workflow.name}-schedule`;
      const spec = {
        file,
        scheduleId,
        cron: opts.cron,
        every: opts.every,
        overlap,
        catchupWindow: opts.catchupWindow,
        pauseOnFailure: opts.pauseOnFailure,
        paused: opts.paused,
        note: opts.note,
      };
      // Checked before connecting, so a typo in --every is named as such even when no server is up.
      try {
        scheduleOptions(target.workflow, spec);
      } catch (err) {
        return fail((err as Error).message);
      }
      await withClient(
        opts,
        scheduleId,
        async (client) => {
          const { handle } = await createExperimentSchedule(client, target.workflow, spec);
          print(describeJson(await handle.describe()));
        },
        target.namespace
      );
    }
  );

  connection(
    schedule
      .command('list')
      .description('every schedule in the namespace (eventually consistent: a new one may take a moment to show)')
      .option('--query <filter>', 'visibility filter, e.g. \'OmniExperiment = "demo"\'')
  ).action(async (opts: ConnectionFlags & { query?: string }) => {
    await withClient(opts, null, async (client) => print(await listSchedules(client, opts.query)));
  });

  connection(schedule.command('describe').description('spec, policies, state and recent runs').argument('<id>')).action(
    async (id: string, opts: ConnectionFlags) => {
      await withClient(opts, id, async (client) => print(describeJson(await client.schedule.getHandle(id).describe())));
    }
  );

  connection(
    schedule
      .command('pause')
      .description('stop starting new runs (a run in progress goes on)')
      .argument('<id>')
      .option('--note <text>', 'why it is paused (shown by describe and in the Web UI)')
  ).action(async (id: string, opts: ConnectionFlags & { note?: string }) => {
    await withClient(opts, id, async (client) => {
      const handle = client.schedule.getHandle(id);
      await handle.pause(opts.note ?? 'paused by omni-zero schedule pause');
      const d = await handle.describe();
      print({ scheduleId: id, paused: d.state.paused, note: d.state.note ?? null });
    });
  });

  connection(
    schedule.command('unpause').description('start runs again on the spec').argument('<id>').option('--note <text>')
  ).action(async (id: string, opts: ConnectionFlags & { note?: string }) => {
    await withClient(opts, id, async (client) => {
      const handle = client.schedule.getHandle(id);
      await handle.unpause(opts.note ?? 'unpaused by omni-zero schedule unpause');
      const d = await handle.describe();
      print({
        scheduleId: id,
        paused: d.state.paused,
        note: d.state.note ?? null,
        nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
      });
    });
  });

  connection(
    schedule
      .command('trigger')
      .description("start one run now (the schedule's overlap policy applies unless --overlap is given)")
      .argument('<id>')
      .option('--overlap <policy>', `override for this run: ${overlapHelp}`)
  ).action(async (id: string, opts: ConnectionFlags & { overlap?: string }) => {
    let overlap: ReturnType<typeof parseOverlap> | undefined;
    try {
      overlap = opts.overlap === undefined ? undefined : parseOverlap(opts.overlap);
    } catch (err) {
      return fail((err as Error).message);
    }
    await withClient(opts, id, async (client) => {
      const { started, overlap: used } = await triggerSchedule(client, id, { overlap });
      print({ scheduleId: id, overlap: used, workflowId: started });
      if (started === null)
        console.error(
          `no run started: the overlap policy ${used} skipped it (a run is going); pass --overlap allow-all to start one anyway`
        );
    });
  });

  connection(
    schedule.command('delete').description('delete the schedule (runs it started go on)').argument('<id>')
  ).action(async (id: string, opts: ConnectionFlags) => {
    await withClient(opts, id, async (client) => {
      await client.schedule.getHandle(id).delete();
      print({ scheduleId: id, deleted: true });
    });
  });
}
