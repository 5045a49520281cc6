/**
 * Issue 5, crash item 3: the Temporal dev server killed (SIGKILL) mid-run and started again on the same port and
 * SQLite file; the worker processes ride out the outage and reconnect, and the run completes intact. The config
 * learns (test/helpers/learning-config.ts), and the run passes the honest checks (test/helpers/honest-resume.ts)
 * against the same config run undisturbed once the server is back: weights moved from the base, gradient > 0 from
 * the interrupted step on, same batch there, same Adam moments and final weights.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { type DevServer, freePort, startDevServer } from '../../infra/temporal-dev.ts';
import { openBlobStore } from '../../storage/open.ts';
import { runKeys } from '../../storage/run-layout.ts';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { assertRunIntact, uniqueQueues, waitUntil } from '../helpers/durability.ts';
import { assertHonestResume, baseWeightsOf } from '../helpers/honest-resume.ts';
import { learningExperiment } from '../helpers/learning-config.ts';
import { spawnWorker, type WorkerProcess } from '../helpers/processes.ts';
import { freshBucket, stopOwnS3 } from '../helpers/s3.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-dur-server-'));
let server: DevServer | null = null;
let connection: Connection | null = null;
const procs: WorkerProcess[] = [];

after(async () => {
  for (const p of procs) await p.kill();
  await connection?.close();
  await server?.stop();
  await stopOwnS3();
  rmSync(dir, { recursive: true, force: true });
});

/** The run's result, asked again while the server is away (the long poll fails with it). */
async function resultThroughOutages(client: Client, id: string, timeoutMs: number): Promise<ExperimentResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await client.workflow.getHandle(id).result()) as ExperimentResult;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

test('the dev server killed mid-run and restarted on the same SQLite file: workers reconnect, the run completes', {
  timeout: 240_000,
}, async (t) => {
  const dbFile = path.join(dir, 'temporal.sqlite');
  const port = await freePort();
  server = await startDevServer({ dbFile, port, uiPort: false });
  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const bucket = await freshBucket('oz-dur-server');
  const storage = `s3://${bucket.bucket}/runs`;
  const queues = uniqueQueues('srv');
  const backend = { OMNI_ZERO_BACKEND: process.env.OMNI_ZERO_BACKEND || 'tensorflow' };
  const workers = await Promise.all([
    spawnWorker({ roles: ['main', 'cpu', 'io'], queues, address: server.address, env: backend }),
    spawnWorker({ roles: ['gpu'], queues, address: server.address, env: backend }),
  ]);
  procs.push(...workers);

  const config = learningExperiment({ name: 'durability', storage, queues, heartbeat: '5s' });
  const start = async (tag: string) => {
    const runId = `dur-srv-${tag}-${Date.now()}`;
    await client.workflow.start('experiment', { args: [{ config, runId }], taskQueue: queues.main, workflowId: runId });
    return runId;
  };
  const runId = await start('killed');
  const store = openBlobStore(`${storage}/${runId}`);
  await waitUntil('step 1', async () => store.head(runKeys.metrics(1)), 120_000);

  // Harsh variant: no graceful shutdown, whatever the server had in flight is lost with the process.
  const downAt = Date.now();
  process.kill(server.pid, 'SIGKILL');
  // A deliberate outage (not a wait for a condition): long enough for the workers' polls to fail and back off.
  await new Promise((r) => setTimeout(r, 5000));
  server = await startDevServer({ dbFile, port, uiPort: false });
  const upAt = Date.now();
  const stepBefore = (await store.list(runKeys.metricsPrefix())).length;
  // The reference: the same config, started once the server is back, so no outage touches it.
  const referenceId = await start('alone');
  await waitUntil(
    'a step completed after the restart',
    async () => (await store.list(runKeys.metricsPrefix())).length > stepBefore,
    120_000
  );
  const progressAfterRestartMs = Date.now() - upAt;

  const result = await resultThroughOutages(client, runId, 180_000);
  assert.equal(result.status, 'completed');
  assert.equal(result.steps, 6);
  for (const w of workers) assert.equal(w.child.exitCode, null, `worker ${w.pid} exited:\n${w.output()}`);
  await assertRunIntact(client, runId, openBlobStore(result.base), 6);
  const reference = await resultThroughOutages(client, referenceId, 180_000);
  assert.equal(reference.status, 'completed');
  const checked = await assertHonestResume({
    reference: openBlobStore(reference.base),
    resumed: openBlobStore(result.base),
    baseWeights: await baseWeightsOf(config),
    resumeStep: stepBefore,
    finalStep: 6,
  });
  t.diagnostic(
    JSON.stringify({ downMs: upAt - downAt, progressAfterRestartMs, stepAtKill: stepBefore, ...checked.figures })
  );
});
