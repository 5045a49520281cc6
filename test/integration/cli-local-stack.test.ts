/**
 * The commands the demo prints, pasted into a new shell: `omni-zero server start` brings up the local stack as the
 * demo does (state in a temporary OMNI_ZERO_HOME, servers on free ports), a run is written to its S3 bucket and
 * started on its Temporal server, and then `report`, `status`, `ls`, `watch` and `resume` run as child processes whose
 * environment has no AWS, S3 or Temporal variable at all: they must find both servers from the recorded stack. With the stack down,
 * the same report fails with what to set and what to start, not the AWS SDK's credentials error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { queryProgress } from '../../cli/watch-run.ts';
import { ROOT } from '../../infra/paths.mjs';
import { readS3Record, readTemporalRecord, s3EnvOf } from '../../infra/stack-record.ts';
import { freePort } from '../../infra/temporal-dev.ts';
import { writeCheckpoint } from '../../storage/checkpoints.ts';
import { S3BlobStore } from '../../storage/s3-store.ts';
import { SA } from '../../workflows/search-attributes.ts';
import { writeFixtureRunTo } from '../fixtures/report/generate-run.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import type { RunningWorkers } from '../helpers/workers.ts';

const exec = promisify(execFile);
const BIN = path.join(ROOT, 'bin', 'omni-zero.js');
const home = mkdtempSync(path.join(os.tmpdir(), 'oz-stack-home-'));
const out = mkdtempSync(path.join(os.tmpdir(), 'oz-stack-out-'));
const RUN = 'pasted-2026-12-06-000000-abcd';
const STORAGE = 's3://omni-zero-demo/runs';

/**
 * A new shell: the user's environment (PATH, HOME, the tool cache) with this checkout's state folder and nothing that
 * names a server or credentials.
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AWS_|TEMPORAL_|OMNI_ZERO_S3_|OMNI_ZERO_TEMPORAL_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, OMNI_ZERO_HOME: home, ...extra };
}

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  try {
    const r = await exec(process.execPath, [BIN, ...args], { cwd: ROOT, env, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let connection: Connection | undefined;
let stackEnv: NodeJS.ProcessEnv;
let startedBuckets: string[];

before(async () => {
  // Free ports, so the long-lived stack on the default ports is never touched; only `server start` is told them.
  stackEnv = cleanEnv({
    OMNI_ZERO_TEMPORAL_PORT: String(await freePort()),
    OMNI_ZERO_TEMPORAL_UI_PORT: String(await freePort()),
    OMNI_ZERO_S3_PORT: String(await freePort()),
  });
  const started = await cli(['server', 'start'], stackEnv);
  assert.equal(started.code, 0, started.stderr);
  startedBuckets = JSON.parse(started.stdout).buckets;
});

after(async () => {
  await connection?.close();
  await cli(['server', 'stop'], stackEnv);
});

test('report, status and ls find the running local stack with no AWS, S3 or Temporal variable', {
  timeout: 180_000,
}, async () => {
  const s3 = readS3Record(path.join(home, 'run', 's3.json'));
  const temporal = readTemporalRecord(path.join(home, 'run', 'temporal.json'));
  assert.ok(s3 && temporal, 'server start recorded both servers');
  assert.equal(s3.endpoint, `http://127.0.0.1:${stackEnv.OMNI_ZERO_S3_PORT}`);
  assert.equal(temporal.address, `127.0.0.1:${stackEnv.OMNI_ZERO_TEMPORAL_PORT}`);

  Object.assign(process.env, s3EnvOf(s3));
  // The examples' buckets are ready: a run started right after `server start` can write its first record.
  assert.deepEqual(startedBuckets, ['omni-zero-demo', 'omni-zero-runs']);
  for (const b of startedBuckets) assert.deepEqual(await new S3BlobStore(b, '').list(''), []);
  await writeFixtureRunTo(new S3BlobStore('omni-zero-demo', `runs/${RUN}`), {
    runId: RUN,
    stepsPerStage: 2,
    evalEvery: 2,
  });
  connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  // A run whose workflow no worker serves: status and ls read Temporal, not the run's progress.
  const handle = await client.workflow.start('experiment', {
    taskQueue: `pasted-${process.pid}`,
    workflowId: RUN,
    args: [{}],
    typedSearchAttributes: [
      { key: SA.experiment, value: 'pasted' },
      { key: SA.run, value: RUN },
      { key: SA.status, value: 'training' },
    ],
  });

  const page = path.join(out, 'report.html');
  const report = await cli(['report', RUN, '--storage', STORAGE, '--out', page], cleanEnv());
  assert.equal(report.code, 0, report.stderr);
  const printed = JSON.parse(report.stdout);
  assert.equal(printed.out, page);
  assert.equal(printed.steps, 8);
  assert.ok(printed.charts > 0);
  assert.ok(readFileSync(page, 'utf8').includes(RUN));

  const status = await cli(['status', RUN], cleanEnv());
  assert.equal(status.code, 0, status.stderr);
  const state = JSON.parse(status.stdout);
  assert.equal(state.run, RUN);
  assert.equal(state.workflowStatus, 'RUNNING');
  assert.equal(state.searchAttributes.OmniStatus, 'training');

  const ls = await cli(['ls', '--json'], cleanEnv());
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(
    JSON.parse(ls.stdout).map((r: { run: string }) => r.run),
    [RUN]
  );
  // What status did inside: a bounded query, cancelled rather than left running past the connection.
  await assert.rejects(queryProgress(handle), /no answer in 5 s; is a worker polling/);
  await handle.terminate('test done');
});

test('watch and resume of an ended run find the stack too: resume reads its checkpoint from S3', {
  timeout: 120_000,
}, async () => {
  const temporal = readTemporalRecord(path.join(home, 'run', 'temporal.json'));
  assert.ok(connection && temporal);
  const client = new Client({ connection });
  const ended = `${RUN}-ended`;
  const q = `pasted-${process.pid}`;
  const queues = { main: q, gpu: `${q}-gpu`, cpu: `${q}-cpu`, io: `${q}-io` };
  const config = tinyExperiment({ name: 'pasted', storage: STORAGE, workers: { queues } as RunningWorkers });
  const handle = await client.workflow.start('experiment', {
    taskQueue: q,
    workflowId: ended,
    args: [{ config, runId: ended }],
  });
  await handle.terminate('ended for the test');
  await writeCheckpoint(
    new S3BlobStore('omni-zero-demo', `runs/${ended}`),
    '',
    2,
    [{ path: 'weights.bin', data: 'w' }],
    {
      experiment: 'pasted',
      run: ended,
      stage: 'code',
      configHash: '0'.repeat(64),
    }
  );

  const watch = await cli(['watch', ended, '--json'], cleanEnv());
  assert.equal(watch.code, 1, watch.stderr); // a terminated run exits 1, with its final state
  assert.equal(JSON.parse(watch.stdout.trim().split('\n').at(-1)!).workflowStatus, 'TERMINATED');

  const resumed = await cli(['resume', ended, '--id', `${ended}-2`], cleanEnv());
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.deepEqual(JSON.parse(resumed.stdout), {
    workflowId: `${ended}-2`,
    resumedFrom: ended,
    fromStatus: 'TERMINATED',
    checkpointStep: 2,
    summary: JSON.parse(resumed.stdout).summary,
  });
  await client.workflow.getHandle(`${ended}-2`).terminate('test done');
});

test('a variable or flag the user set wins over the recorded stack', { timeout: 60_000 }, async () => {
  const dead = `127.0.0.1:${await freePort()}`;
  const r = await cli(
    ['report', RUN, '--storage', STORAGE, '--out', path.join(out, 'x.html')],
    cleanEnv({ OMNI_ZERO_S3_ENDPOINT: `http://${dead}`, OMNI_ZERO_S3_MAX_ATTEMPTS: '1' })
  );
  assert.equal(r.code, 1);
  assert.ok(!existsSync(path.join(out, 'x.html')), 'nothing written from the recorded server');
  const byVariable = await cli(['status', RUN], cleanEnv({ TEMPORAL_ADDRESS: dead }));
  assert.equal(byVariable.code, 1);
  assert.match(byVariable.stderr, new RegExp(`cannot reach Temporal at ${dead}`));
  const byFlag = await cli(['ls', '--address', dead], cleanEnv());
  assert.equal(byFlag.code, 1);
  assert.match(byFlag.stderr, new RegExp(`cannot reach Temporal at ${dead}`));
});

test('with the stack down, report says what to set and what to start', { timeout: 120_000 }, async () => {
  const stopped = await cli(['server', 'stop'], stackEnv);
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.deepEqual(JSON.parse(stopped.stdout), { stopped: true, s3Stopped: true });
  const t0 = Date.now();
  const r = await cli(['report', RUN, '--storage', STORAGE, '--out', path.join(out, 'down.html')], cleanEnv());
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^omni-zero: no S3 credentials: no local S3 server is recorded in .*s3\.json/m);
  for (const v of ['OMNI_ZERO_S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'])
    assert.match(r.stderr, new RegExp(v));
  assert.match(r.stderr, /'omni-zero server start'/);
  assert.doesNotMatch(r.stderr, /Could not load credentials/);
  process.stderr.write(`stack-down report failed in ${Date.now() - t0} ms\n`);
});
