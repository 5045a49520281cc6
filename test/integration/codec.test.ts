/**
 * Encrypted payloads end to end, on a real dev server whose Web UI decodes through `omni-zero codec-server`: a tiny
 * experiment with a secret planted in its config runs with the codec on; the raw history (the `temporal` CLI without
 * the codec) holds neither the secret nor any unencrypted payload, while the CLI through the codec server and the Web
 * UI in headless Chromium show it; a failure's text is encrypted too; a worker holding the wrong key stops with an
 * error naming the key and the run, picked up by a worker with the right key, completes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { type Browser, chromium } from 'playwright-core';
import { keyRingFromList } from '../../encryption/index.ts';
import { ROOT, TEMPORAL_BIN } from '../../infra/paths.mjs';
import { type DevServer, freePort, startDevServer } from '../../infra/temporal-dev.ts';
import { type CodecServer, startCodecServer } from '../../workers/codec-server.ts';
import { createWorkers } from '../../workers/create-workers.ts';
import { dataConverterFor } from '../../workers/data-converter.ts';
import { EncryptionCodec } from '../../workers/encryption-codec.ts';
import { installRuntime } from '../../workers/runtime.ts';
import type { WorkerRole } from '../../workers/task-queues.ts';
import { spawnWorker, type WorkerProcess } from '../../workers/worker-process.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { uniqueTaskQueue } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import type { RunningWorkers } from '../helpers/workers.ts';

const SECRET = `tulip-${Date.now().toString(36)}-sesame`;
const KEY = (id: string, fill: number) => `${id}:${Buffer.alloc(32, fill).toString('base64')}`;
const RIGHT_KEYS = KEY('k1', 1);
const WRONG_KEYS = KEY('k9', 9);
const SHOTS = path.join(ROOT, 'test-artifacts', 'codec');
const exec = promisify(execFile);

const codec = new EncryptionCodec(keyRingFromList(RIGHT_KEYS));
let decodeCalls = 0;
const storageDir = mkdtempSync(path.join(os.tmpdir(), 'oz-codec-'));
let server: DevServer;
let codecServer: CodecServer;
let connection: Connection;
let native: NativeConnection;
let client: Client;
let browser: Browser;
const running: { workers: Worker[]; done: Promise<unknown> }[] = [];
const processes: WorkerProcess[] = [];

function queues(): Record<WorkerRole, string> {
  return {
    main: uniqueTaskQueue('main'),
    gpu: uniqueTaskQueue('gpu'),
    cpu: uniqueTaskQueue('cpu'),
    io: uniqueTaskQueue('io'),
  };
}

async function startWorkers(
  taskQueues: Record<WorkerRole, string>,
  roles: WorkerRole[] = ['main', 'gpu', 'cpu', 'io']
): Promise<void> {
  const workers = await createWorkers({ connection: native, roles, taskQueues, codec });
  running.push({ workers, done: Promise.all(workers.map((w) => w.run())) });
}

before(async () => {
  installRuntime('WARN');
  const uiPort = await freePort();
  // The codec server the browser calls; it counts the decode requests it answers.
  const counting: PayloadCodec = {
    encode: (p) => codec.encode(p),
    decode: (p) => {
      decodeCalls++;
      return codec.decode(p);
    },
  };
  codecServer = await startCodecServer({
    codec: counting,
    port: 0,
    webUiOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
  });
  server = await startDevServer({
    dbFile: path.join(storageDir, 'temporal.sqlite'),
    uiPort,
    uiCodecEndpoint: codecServer.url,
  });
  connection = await Connection.connect({ address: server.address });
  native = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection, dataConverter: dataConverterFor(codec) });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  for (const r of running) for (const w of r.workers) if (w.getState() === 'RUNNING') w.shutdown();
  await Promise.all(running.map((r) => r.done));
  await Promise.all(processes.map((p) => p.kill('SIGTERM')));
  await native?.close();
  await connection?.close();
  await server?.stop();
  await codecServer?.close();
  rmSync(storageDir, { recursive: true, force: true });
});

function config(name: string, q: Record<WorkerRole, string>, extra: Record<string, unknown> = {}) {
  const base = tinyExperiment({
    name,
    storage: `file://${storageDir}/runs`,
    workers: { queues: q } as RunningWorkers,
    stepsPerStage: 1,
    tasks: ['math'],
  });
  return { ...base, template: { style: 'ot', systemPrompt: `Answer in tags. ${SECRET}` }, ...extra };
}

/** The history as the `temporal` CLI prints it; with `codecEndpoint`, decoded through the codec server. */
async function showHistory(workflowId: string, codecEndpoint?: string): Promise<string> {
  const env = { ...process.env };
  delete env.TEMPORAL_CODEC_ENDPOINT;
  const args = ['workflow', 'show', '-w', workflowId, '--output', 'json', '--address', server.address];
  if (codecEndpoint) args.push('--codec-endpoint', codecEndpoint);
  const { stdout } = await exec(TEMPORAL_BIN, args, { env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** The secret in the text, or in any base64 string of it (payload data is base64 in the CLI's JSON). */
function mentions(text: string, secret: string): boolean {
  if (text.includes(secret)) return true;
  for (const m of text.matchAll(/"([A-Za-z0-9+/]{16,}={0,2})"/g)) {
    if (Buffer.from(m[1], 'base64').toString('latin1').includes(secret)) return true;
  }
  return false;
}

/** Encodings of every payload in a history, except search attributes (the server must read those to index them). */
function payloadEncodings(node: unknown, key = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((n) => payloadEncodings(n, key));
  if (!node || typeof node !== 'object' || key === 'searchAttributes') return [];
  const o = node as Record<string, unknown>;
  const meta = o.metadata as Record<string, string> | undefined;
  const own = meta && 'data' in o && meta.encoding ? [Buffer.from(meta.encoding, 'base64').toString()] : [];
  return [...own, ...Object.entries(o).flatMap(([k, v]) => payloadEncodings(v, k))];
}

test('a run with the codec on: no clear payload nor the secret in the raw history; the codec server decodes it', {
  timeout: 240_000,
}, async (t) => {
  const q = queues();
  await startWorkers(q);
  const workflowId = `codec-run-${Date.now()}`;
  const handle = await client.workflow.start('experiment', {
    args: [{ config: config('codec-run', q), runId: workflowId }],
    taskQueue: q.main,
    workflowId,
  });
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 1);

  // The run's own history and its stage child workflows' (where the step metrics travel).
  const history = await handle.fetchHistory();
  const children = (history.events ?? []).flatMap(
    (e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []
  );
  assert.ok(children.length >= 1, 'the run started its stage workflow');
  for (const id of [workflowId, ...children]) {
    const raw = await showHistory(id);
    const encodings = payloadEncodings(JSON.parse(raw));
    t.diagnostic(`${id}: ${encodings.length} payloads in the raw history`);
    assert.ok(encodings.length >= 5, `${id}: payloads found in the history: ${encodings.length}`);
    assert.deepEqual([...new Set(encodings)], ['binary/encrypted'], `${id}: every payload is encrypted`);
    assert.equal(mentions(raw, SECRET), false, `${id}: the secret is not in the raw history`);
  }
  const decoded = await showHistory(workflowId, codecServer.url);
  assert.ok(payloadEncodings(JSON.parse(decoded)).includes('json/plain'), 'decoded, the payloads are JSON again');
  assert.equal(mentions(decoded, SECRET), true, 'through the codec server the config is readable');
  assert.ok(decodeCalls > 0);

  // The Web UI, told the codec endpoint at server start, decodes in the browser and shows the planted config.
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const decodesBefore = decodeCalls;
  await page.goto(`${server.uiUrl}/namespaces/default/workflows/${workflowId}`);
  await page.getByTestId('execution-status').filter({ hasText: 'Completed' }).waitFor();
  await page.getByText(SECRET, { exact: false }).first().waitFor({ timeout: 60_000 });
  await page.screenshot({ path: path.join(SHOTS, 'decoded-input.png'), fullPage: true });
  assert.ok(decodeCalls > decodesBefore, 'the page decoded through the codec server');
  await page.close();
});

test('a failure text (here naming the secret) is encrypted too; the client decodes it', {
  timeout: 120_000,
}, async () => {
  const q = queues();
  await startWorkers(q);
  const workflowId = `codec-fail-${Date.now()}`;
  const bad = config('codec-fail', q, { [SECRET]: 1 });
  const err = await client.workflow
    .execute('experiment', { args: [{ config: bad, runId: workflowId }], taskQueue: q.main, workflowId })
    .then(
      () => assert.fail('an unknown key must fail the run'),
      (e: unknown) => e
    );
  assert.ok(err instanceof WorkflowFailedError);
  assert.match((err.cause as Error).message, new RegExp(`- ${SECRET}: unknown key`));
  const raw = await showHistory(workflowId);
  assert.match(raw, /Encoded failure/);
  assert.equal(mentions(raw, SECRET), false, 'neither the input nor the failure message is in clear');
  assert.equal(mentions(await showHistory(workflowId, codecServer.url), SECRET), true);
});

test('a worker with the wrong key stops with an error naming the key; a right-key worker completes the run', {
  timeout: 300_000,
}, async (t) => {
  const q = queues();
  const wrong = await spawnWorker({
    roles: ['main'],
    queues: q,
    address: server.address,
    env: { OMNI_ZERO_CODEC_KEYS: WRONG_KEYS },
  });
  processes.push(wrong);
  const workflowId = `codec-wrong-key-${Date.now()}`;
  const handle = await client.workflow.start('experiment', {
    args: [{ config: config('codec-wrong-key', q), runId: workflowId }],
    taskQueue: q.main,
    workflowId,
  });
  assert.equal(await wrong.exited, 1, wrong.output());
  t.diagnostic(
    wrong
      .output()
      .split('\n')
      .filter((l) => l.startsWith('omni-zero:'))
      .join('\n')
  );
  assert.match(
    wrong.output(),
    /worker stopped: payload encrypted with codec key 'k1', which this process does not hold \(it holds: k9\); add 'k1:<base64 key>' to OMNI_ZERO_CODEC_KEYS/
  );
  const failedTasks = (await handle.fetchHistory()).events?.filter((e) => e.workflowTaskFailedEventAttributes) ?? [];
  assert.ok(failedTasks.length >= 1, 'the wrong worker failed the workflow task (so it is retried)');
  assert.equal((await handle.describe()).status.name, 'RUNNING');

  // As the demo runs them: the GPU worker a process of its own (given the right key), the other roles here.
  const gpu = await spawnWorker({
    roles: ['gpu'],
    queues: q,
    address: server.address,
    env: { OMNI_ZERO_CODEC_KEYS: RIGHT_KEYS },
  });
  processes.push(gpu);
  await startWorkers(q, ['main', 'cpu', 'io']);
  const result = (await handle.result()) as ExperimentResult;
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 1);
  assert.match(gpu.output(), /payloads encrypted with codec key 'k1'/);
  const starts = (await handle.fetchHistory()).events?.filter((e) => e.workflowExecutionStartedEventAttributes);
  assert.equal(starts?.length, 1, 'the same run went on; nothing was started again');
});
