/**
 * schemas/ is imported by workflows: inside Temporal's sandbox (no Node built-ins, injected URL/TextEncoder) the
 * parse must accept the same configs, report the same issues and compute the same pure-sha256 config hash as Node.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import { parse } from 'yaml';
import { configHash } from '../../schemas/config-hash.ts';
import { parseExperimentConfig } from '../../schemas/parse.ts';
import { type TemporalTestEnv, temporalTestEnv, uniqueTaskQueue } from '../helpers/temporal.ts';

let env: TemporalTestEnv;
before(async () => {
  env = await temporalTestEnv();
});
after(async () => {
  await env.teardown();
});

test('the config schema runs in the workflow sandbox with the same results and hash as in Node', async () => {
  const taskQueue = uniqueTaskQueue('schemas');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: path.join(import.meta.dirname, 'schemas-workflow.ts'),
  });
  await worker.runUntil(async () => {
    for (const name of ['omni-think-curriculum', 'demo']) {
      const input = parse(readFileSync(path.join(import.meta.dirname, `../../examples/${name}.yaml`), 'utf8'));
      const local = parseExperimentConfig(input);
      assert.ok(local.ok);
      const out = (await env.client.workflow.execute('schemaCheck', {
        args: [input],
        taskQueue,
        workflowId: `${taskQueue}-${name}`,
      })) as {
        ok: boolean;
        hash: string;
      };
      assert.deepEqual(out, { ok: true, hash: configHash(local.config), totalSteps: name === 'demo' ? 144 : 800 });
    }
    const bad = { name: 'x', grpo: { lerning_rate: 1 } };
    const out = await env.client.workflow.execute('schemaCheck', {
      args: [bad],
      taskQueue,
      workflowId: `${taskQueue}-bad`,
    });
    assert.deepEqual(out, parseExperimentConfig(bad));
  });
});
