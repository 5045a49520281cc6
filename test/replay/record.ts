/**
 * Records real histories of a tiny experiment (the `experiment` workflow and its `stage` children) as JSON fixtures
 * for the replay test. Run it against the code whose histories must keep replaying:
 *   node --import tsx test/replay/record.ts <name> [--resume]   (writes test/replay/histories/<name>-{experiment,stage-*}.json: { workflowId, history })
 * Fixtures are recorded once per workflow-code version and kept until the patches they need are retired.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { openBlobStore } from '../../storage/open.ts';
import { temporalTestEnv } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import { startTestWorkers } from '../helpers/workers.ts';

const name = process.argv[2];
if (!name) {
  console.error('usage: record.ts <fixture-name>');
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const env = await temporalTestEnv();
const workers = await startTestWorkers(env, ['main', 'gpu', 'cpu', 'io']);
try {
  const storage = `file://${await mkdtemp(path.join(os.tmpdir(), 'oz-replay-'))}`;
  const runId = `replay-${name}-${Date.now()}`;
  // checkpointEvery 1 and CAN every 2: the fixture covers checkpoints and continue-as-new of the stage loop.
  const config = tinyExperiment({
    name: 'replay',
    storage,
    workers,
    stepsPerStage: 3,
    checkpointEvery: 1,
    continueAsNewEvery: 2,
  });
  // With --resume: first a run terminated after its step-1 checkpoint, then the recorded run resumes it.
  let resumeFrom: { runId: string; base: string } | undefined;
  if (process.argv.includes('--resume')) {
    const oldId = `${runId}-old`;
    const old = await env.client.workflow.start('experiment', {
      args: [{ config, runId: oldId }],
      taskQueue: workers.queues.main,
      workflowId: oldId,
    });
    const oldStore = openBlobStore(`${storage}/${oldId}`);
    while (!(await oldStore.head('checkpoints/step-00000001/manifest.json')))
      await new Promise((r) => setTimeout(r, 25));
    await old.terminate('recording a resumed run');
    resumeFrom = { runId: oldId, base: `${storage}/${oldId}` };
  }
  const handle = await env.client.workflow.start('experiment', {
    args: [{ config, runId, ...(resumeFrom ? { resumeFrom } : {}) }],
    taskQueue: workers.queues.main,
    workflowId: runId,
  });
  await handle.result();
  // The workflow id goes with the history: replay checks child workflow ids derived from it.
  const write = async (suffix: string, h: ReturnType<typeof env.client.workflow.getHandle>) => {
    const file = path.join(here, 'histories', `${name}-${suffix}.json`);
    const history = JSON.parse(historyToJSON(await h.fetchHistory()));
    await writeFile(file, `${JSON.stringify({ workflowId: h.workflowId, history })}\n`);
    console.log(file);
  };
  await write('experiment', handle);
  // The first run of the first stage's chain (ends in continue-as-new), a plain stage run is covered by the last one.
  const stageId = `${runId}/stage-0-code`;
  const latest = await env.client.workflow.getHandle(stageId).fetchHistory();
  const firstRunId = latest.events?.[0]?.workflowExecutionStartedEventAttributes?.firstExecutionRunId ?? undefined;
  await write('stage-first', env.client.workflow.getHandle(stageId, firstRunId ?? undefined));
  await write('stage-last', env.client.workflow.getHandle(stageId));
} finally {
  await workers.stop();
  await env.teardown();
}
