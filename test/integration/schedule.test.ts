/**
 * `omni-zero schedule …` against the real dev server and real workers: scheduled runs each get their own run id and
 * storage prefix and complete; pause stops new runs; trigger starts one now; list shows the schedule; delete removes
 * it; an invalid config creates nothing. The command runs in-process through commander (a spawned CLI loads every
 * command: seconds per call).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { register } from '../../cli/commands/schedule.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import { type RunningWorkers, startTestWorkers } from '../helpers/workers.ts';

let env: TemporalTestEnv;
let workers: RunningWorkers;
let dir: string;
let configFile: string;
let config: Record<string, unknown>;

before(async () => {
  env = await temporalTestEnv();
  workers = await startTestWorkers(env, ['main', 'gpu', 'cpu', 'io']);
  dir = mkdtempSync(path.join(os.tmpdir(), 'oz-schedule-'));
  // The smallest real experiment (test/helpers/tiny-config.ts): micro model, one math step, 2 prompts × 2 samples.
  config = tinyExperiment({
    name: 'sched-tiny',
    storage: `file://${dir}/runs`,
    workers,
    stepsPerStage: 1,
    tasks: ['math'],
  });
  configFile = path.join(dir, 'tiny.yaml');
  writeFileSync(configFile, stringify(config));
});
after(async () => {
  await workers?.stop();
  await env?.teardown();
});

/** Runs `omni-zero schedule …` in this process: its stdout lines, stderr lines and exit code. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string[]; stderr: string[] }> {
  const program = new Command('omni-zero').exitOverride();
  register(program);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const { log, error } = console;
  console.log = (line: string) => stdout.push(line);
  console.error = (line: string) => stderr.push(line);
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'omni-zero', 'schedule', ...args, '--address', env.address]);
  } finally {
    console.log = log;
    console.error = error;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout, stderr };
}

const json = (r: { stdout: string[] }) => JSON.parse(r.stdout.join('\n'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function startInput(handle: WorkflowHandle): Promise<unknown> {
  const history = await handle.fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  return defaultPayloadConverter.fromPayload(payloads[0]);
}

test('a schedule’s runs each get their own run id and storage prefix; pause, trigger, list and delete work', {
  timeout: 180_000,
}, async () => {
  const id = `sched-${Date.now()}`;
  const created = await cli(
    'create',
    configFile,
    '--every',
    '1s',
    '--id',
    id,
    '--catchup-window',
    '1m',
    '--note',
    'test'
  );
  assert.equal(created.code, 0, created.stderr.join('\n'));
  const desc = json(created);
  assert.equal(desc.scheduleId, id);
  assert.equal(desc.overlap, 'SKIP');
  assert.equal(desc.catchupWindowMs, 60_000);
  assert.deepEqual(desc.spec.intervals, [{ everyMs: 1000, offsetMs: 0 }]);
  assert.equal(desc.when, 'every 1s');
  assert.equal(desc.action.taskQueue, workers.queues.main);

  // Two scheduled runs: distinct time-suffixed workflow ids, each its own run id and storage prefix, both complete.
  const two = await until('two scheduled runs', async () => {
    const d = json(await cli('describe', id));
    return d.recentActions.length >= 2 ? d.recentActions.slice(0, 2) : undefined;
  });
  const ids = two.map((a: { workflowId: string }) => a.workflowId);
  assert.notEqual(ids[0], ids[1]);
  for (const wid of ids) assert.match(wid, new RegExp(`^${id}-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
  const results: ExperimentResult[] = [];
  for (const wid of ids) {
    const handle = env.client.workflow.getHandle(wid);
    assert.deepEqual(await startInput(handle), { config }, 'the action passes {config} and no runId');
    const result = (await handle.result()) as ExperimentResult;
    assert.equal(result.status, 'completed');
    assert.equal(result.runId, wid);
    assert.equal(result.base, `file://${dir}/runs/${wid}`);
    results.push(result);
    const described = await handle.describe();
    assert.equal(described.searchAttributes.TemporalScheduledById?.[0], id);
    assert.equal(described.searchAttributes.OmniRun?.[0], wid);
    assert.equal(described.searchAttributes.OmniExperiment?.[0], 'sched-tiny');
  }
  assert.notEqual(results[0].base, results[1].base);

  // Pause: once the run in progress (if any) ends, no new run starts.
  const paused = await cli('pause', id, '--note', 'enough for now');
  assert.deepEqual(json(paused), { scheduleId: id, paused: true, note: 'enough for now' });
  const quiet = await until('the last run to end', async () => {
    const d = json(await cli('describe', id));
    if (d.running.length > 0) return undefined;
    for (const a of d.recentActions) await env.client.workflow.getHandle(a.workflowId).result();
    return d;
  });
  await sleep(3000); // three intervals of the 1 s spec
  const later = json(await cli('describe', id));
  assert.equal(later.paused, true);
  assert.equal(later.actionsTaken, quiet.actionsTaken, 'a paused schedule starts nothing');
  assert.deepEqual(later.running, []);

  // Trigger: one run now, even though paused; the command reports its workflow id.
  const triggered = await cli('trigger', id);
  assert.equal(triggered.code, 0, triggered.stderr.join('\n'));
  const { workflowId: manual, overlap } = json(triggered);
  assert.equal(overlap, 'SKIP', "a trigger follows the schedule's own overlap policy");
  assert.ok(manual && !ids.includes(manual), `a new run: ${manual}`);
  const manualResult = (await env.client.workflow.getHandle(manual).result()) as ExperimentResult;
  assert.equal(manualResult.status, 'completed');
  assert.equal(manualResult.runId, manual);

  // List: eventually consistent, so poll until it shows.
  const listed = await until('the schedule in the list', async () => {
    const all = json(await cli('list'));
    return all.find((s: { scheduleId: string }) => s.scheduleId === id);
  });
  assert.equal(listed.workflowType, 'experiment');
  assert.equal(listed.experiment, 'sched-tiny');

  const deleted = await cli('delete', id);
  assert.deepEqual(json(deleted), { scheduleId: id, deleted: true });
  const gone = await cli('describe', id);
  assert.equal(gone.code, 1);
  assert.deepEqual(gone.stderr, [`no schedule '${id}' in namespace 'default'; see 'omni-zero schedule list'`]);
});

test('an invalid config creates no schedule and lists every problem', async () => {
  const bad = path.join(dir, 'bad.yaml');
  writeFileSync(bad, stringify({ ...config, name: 'Bad Name', rollout: { groupSize: 1 } }));
  const id = `sched-bad-${Date.now()}`;
  const r = await cli('create', bad, '--every', '1h', '--id', id);
  assert.equal(r.code, 1);
  assert.deepEqual(r.stdout, []);
  const text = r.stderr.join('\n');
  assert.match(text, /bad\.yaml: schedule not created, 2 problem\(s\):/);
  assert.match(text, /^name: must be lower-case/m);
  assert.match(text, /^rollout\.groupSize: must be at least 2/m);
  assert.equal((await cli('describe', id)).code, 1, 'nothing was created');
});

test('bad options and server refusals are one line saying what to fix', async () => {
  const id = `sched-opts-${Date.now()}`;
  const cases: [string[], RegExp][] = [
    [['create', configFile, '--id', id], /^give exactly one of --cron EXPR and --every DURATION$/],
    [
      ['create', configFile, '--id', id, '--every', '1h', '--overlap', 'sometimes'],
      /^unknown overlap policy 'sometimes': use one of skip, /,
    ],
    [
      ['create', configFile, '--id', id, '--cron', '61 * * *'],
      new RegExp(`^schedule '${id}': .*CronString does not have 5-7 fields`),
    ],
    [['pause', `${id}-missing`], /^no schedule '.*-missing' in namespace 'default'/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.stderr.length, 1, r.stderr.join('\n'));
    assert.match(r.stderr[0], re);
  }
  const made = await cli('create', configFile, '--id', id, '--cron', '0 3 * * *', '--paused');
  assert.equal(made.code, 0, made.stderr.join('\n'));
  const madeDesc = json(made);
  assert.equal(madeDesc.paused, true);
  assert.equal(madeDesc.when, 'cron 0 3 * * *');
  // 03:00 UTC daily: the next start is at 03:00:00Z on some day.
  assert.match(madeDesc.nextActionTimes[0], /T03:00:00\.000Z$/);
  const again = await cli('create', configFile, '--id', id, '--every', '1h');
  assert.deepEqual(again.stderr, [
    `a schedule '${id}' already exists; pass another --id or 'omni-zero schedule delete ${id}'`,
  ]);
  assert.equal((await cli('delete', id)).code, 0);
});
