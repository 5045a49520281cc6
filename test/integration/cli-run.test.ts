import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { ROOT } from '../../infra/paths.mjs';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import { type RunningWorkers, startTestWorkers } from '../helpers/workers.ts';

const exec = promisify(execFile);
let env: TemporalTestEnv;
let workers: RunningWorkers;
let configFile: string;

before(async () => {
  env = await temporalTestEnv();
  workers = await startTestWorkers(env, ['main', 'gpu', 'cpu', 'io']);
  // A tiny real experiment on this test's own task queues, written as the YAML file a person would pass.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oz-cli-'));
  configFile = path.join(dir, 'tiny.yaml');
  writeFileSync(
    configFile,
    stringify(tinyExperiment({ name: 'cli-tiny', storage: `file://${dir}/runs`, workers, stepsPerStage: 1 }))
  );
});
after(async () => {
  await workers.stop();
  await env.teardown();
});

const cli = (...args: string[]) =>
  exec(process.execPath, [path.join(ROOT, 'bin', 'omni-zero.js'), ...args], { encoding: 'utf8', cwd: ROOT });

test('`omni-zero run FILE --wait` starts the experiment with a readable id and prints its UI link and result', async () => {
  const { stdout } = await cli('run', configFile, '--wait', '--address', env.address, '--ui', 'http://ui.example');
  const [started, result] = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.match(started.workflowId, /^cli-tiny-\d{8}-\d{4}-[0-9a-z]{6}$/);
  assert.equal(started.ui, `http://ui.example/namespaces/default/workflows/${started.workflowId}`);
  assert.equal(result.status, 'completed');
  assert.equal(result.runId, started.workflowId);
  assert.equal(result.plan.totalSteps, 2);
  assert.equal(result.steps, 2);
  const described = await env.client.workflow.getHandle(started.workflowId).describe();
  assert.equal(described.searchAttributes.OmniRun?.[0], started.workflowId);
  assert.equal(await described.staticSummary(), result.summary);
});

test('`omni-zero run` on an invalid file starts nothing and lists the problems with their paths', async () => {
  const bad = path.join(path.dirname(configFile), 'bad.yaml');
  writeFileSync(bad, 'name: Demo\nmodel: { preset: tiny }\nrollout: { groupSize: 1 }\n');
  const err = await cli('run', bad, '--address', env.address).then(
    () => assert.fail('should exit 1'),
    (e: { code: number; stderr: string }) => e
  );
  assert.equal(err.code, 1);
  assert.match(err.stderr, /not started/);
  assert.match(err.stderr, /^name: /m);
  assert.match(err.stderr, /^rollout\.groupSize: /m);
  assert.match(err.stderr, /^tasks: required/m);
});
