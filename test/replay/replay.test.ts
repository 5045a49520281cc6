/**
 * Replay safety: every recorded history under test/replay/histories/ (real runs of earlier workflow code, recorded
 * by test/replay/record.ts) must replay against today's workflow code without a determinism error. Changes to
 * workflow code that alter the commands of open runs need a `patched()` guard; this test is what catches a missing
 * one. The negative control replays the same histories against a deliberately changed workflow module.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { installRuntime } from '../../workers/runtime.ts';
import { workflowBundle } from '../../workers/workflow-bundle.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, 'histories');
installRuntime('ERROR');
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

async function fixtures(): Promise<{ name: string; workflowId: string; history: unknown }[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    names.map(async (name) => ({ name, ...JSON.parse(await readFile(path.join(dir, name), 'utf8')) }))
  );
}

test('recorded histories replay against the current workflow code', async () => {
  const all = await fixtures();
  assert.ok(all.length >= 3, `fixtures found: ${all.map((f) => f.name)}`);
  const bundle = await workflowBundle();
  for (const f of all) {
    await Worker.runReplayHistory({ workflowBundle: bundle }, f.history, f.workflowId).catch((err) => {
      throw new Error(`${f.name} no longer replays: ${(err as Error).message}`);
    });
  }
});

test('negative control: an experiment or stage with an extra activity call fails replay with a determinism error', async () => {
  const changed = await bundleWorkflowCode({
    workflowsPath: path.join(here, 'changed', 'workflows.ts'),
    logger: quiet,
  });
  const all = await fixtures();
  assert.ok(all.some((f) => f.name.endsWith('-experiment.json')) && all.some((f) => f.name.includes('-stage-')));
  for (const f of all) {
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: changed }, f.history, f.workflowId),
      (err: unknown) => {
        assert.ok(
          err instanceof DeterminismViolationError,
          `${f.name}: expected a determinism error, got ${String(err)}`
        );
        return true;
      }
    );
  }
});
