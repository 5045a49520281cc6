/**
 * Starting an experiment from the dev server's real Temporal Web UI (2.54), driven in headless Chromium: the "Start
 * Workflow" form filled the way README tells a person to fill it, then the run checked through the Temporal client
 * (the input it received, how it ended) and on its workflow page. Screenshots land in test-artifacts/web-ui/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { type Browser, chromium, type Page } from 'playwright-core';
import { ROOT } from '../../infra/paths.mjs';
import type { ExperimentResult } from '../../workflows/experiment.ts';
import { progressQuery } from '../../workflows/messages.ts';
import { type TemporalTestEnv, temporalTestEnv } from '../helpers/temporal.ts';
import { tinyExperiment } from '../helpers/tiny-config.ts';
import { type RunningWorkers, startTestWorkers } from '../helpers/workers.ts';

const SHOTS = path.join(ROOT, 'test-artifacts', 'web-ui');
let env: TemporalTestEnv;
let workers: RunningWorkers;
let browser: Browser;
let storage: string;

before(async () => {
  env = await temporalTestEnv();
  assert.ok(env.uiUrl, 'the dev server was started headless: this test needs its Web UI (OMNI_ZERO_TEMPORAL_UI)');
  [workers, browser] = await Promise.all([
    startTestWorkers(env, ['main', 'gpu', 'cpu', 'io']),
    chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] }),
  ]);
  storage = mkdtempSync(path.join(os.tmpdir(), 'oz-web-ui-'));
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await workers?.stop();
  await env?.teardown();
});

/** The smallest real experiment (test/helpers/tiny-config.ts): micro model, one math step, 2 prompts × 2 samples. */
function tinyConfig() {
  return tinyExperiment({
    name: 'web-ui-tiny',
    storage: `file://${storage}`,
    workers,
    stepsPerStage: 1,
    tasks: ['math'],
  });
}

/**
 * Fills and submits the Start Workflow form (route `/namespaces/<ns>/workflows/start-workflow`). The Input box is a
 * CodeMirror editor that pretty-prints its JSON when it loses focus; the layout shift moved the Start button away
 * between mouse-down and mouse-up, so the first click did nothing. Blurring first lets the click land.
 */
async function startFromWebUi(
  page: Page,
  opts: { workflowId: string; taskQueue: string; input: string; shot: string }
) {
  await page.goto(`${env.uiUrl}/namespaces/default/workflows/start-workflow`);
  await page.getByLabel('Workflow ID').fill(opts.workflowId);
  await page.getByLabel('Task Queue').fill(opts.taskQueue);
  await page.getByLabel('Workflow Type').fill('experiment');
  const input = page.getByRole('textbox', { name: 'Data' });
  await input.fill(opts.input);
  await input.blur();
  await page.getByLabel('json/plain').check();
  // The form looks the queue up once the Task Queue field loses focus: our worker must be seen polling it.
  await page.getByText('Task Queue is Active').waitFor();
  await page.screenshot({ path: path.join(SHOTS, `${opts.shot}-form.png`), fullPage: true });
  await page.getByTestId('start-workflow-button').click();
  // The success toast links to the new run; it fades after 5 s, so keep where it points rather than the element.
  const toast = page.getByRole('link', { name: 'Workflow started successfully' });
  const href = await toast.getAttribute('href');
  assert.ok(href, 'the success toast links to the run');
  return href;
}

/** Opens the run's page (where the toast pointed) and waits for its status badge to show how it ended. */
async function workflowPageStatus(page: Page, href: string, expected: string, shot: string) {
  await page.goto(new URL(href, env.uiUrl ?? undefined).href);
  const status = page.getByTestId('execution-status');
  await status.filter({ hasText: expected }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, `${shot}-workflow.png`), fullPage: true });
  return (await status.textContent())?.trim();
}

async function startedInput(workflowId: string): Promise<unknown> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  const payloads = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  assert.equal(payloads.length, 1, 'the Web UI sends the Input box as ONE payload');
  return defaultPayloadConverter.fromPayload(payloads[0]);
}

test('a config pasted into the Web UI Start Workflow form runs the experiment to completion', {
  timeout: 120_000,
}, async (t) => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const workflowId = `web-ui-tiny-${Date.now()}`;
  const config = tinyConfig();
  // README: the experiment config as one JSON object (the YAML converted to JSON).
  const runPage = await startFromWebUi(page, {
    workflowId,
    taskQueue: workers.queues.main,
    input: JSON.stringify(config),
    shot: 'valid',
  });
  assert.deepEqual(await startedInput(workflowId), config, 'the workflow received exactly the pasted config');

  const handle = env.client.workflow.getHandle(workflowId);
  const t0 = Date.now();
  const result = (await handle.result()) as ExperimentResult;
  t.diagnostic(`the run took ${Date.now() - t0} ms after the form was submitted`);
  assert.equal(result.status, 'completed');
  assert.equal(result.runId, workflowId, 'a bare config takes the workflow id as its run id');
  assert.equal(result.steps, 1);
  assert.equal(result.base, `file://${storage}/${workflowId}`);
  const described = await handle.describe();
  assert.equal(described.status.name, 'COMPLETED');
  assert.equal(described.searchAttributes.OmniStatus?.[0], 'completed');
  assert.equal(described.searchAttributes.OmniRun?.[0], workflowId);
  assert.equal(described.searchAttributes.OmniExperiment?.[0], 'web-ui-tiny');
  assert.equal((await handle.query(progressQuery)).status, 'completed');

  assert.equal(await workflowPageStatus(page, runPage, 'Completed', 'valid'), 'Completed');
  // The Queries tab lists `progress` with its description; running it shows the final state.
  await page.getByTestId('queries-tab').click();
  await page.getByTestId('query-select-button').click();
  await page.getByRole('option', { name: /progress/ }).click();
  await page.getByRole('button', { name: 'Run Query' }).click();
  const shown = page.getByRole('textbox', { name: 'Query Result' });
  await shown.filter({ hasText: '"status"' }).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'valid-query.png'), fullPage: true });
  const progress = JSON.parse((await shown.textContent()) ?? '');
  assert.equal(progress.status, 'completed');
  assert.equal(progress.runId, workflowId);
  await page.close();
});

test('an invalid config submitted the same way fails at once with every problem listed', {
  timeout: 60_000,
}, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const workflowId = `web-ui-invalid-${Date.now()}`;
  const bad = { ...tinyConfig(), name: 'Web UI', rollout: { promptsPerStep: 2, groupSize: 1 }, lerningRate: 0.1 };
  const runPage = await startFromWebUi(page, {
    workflowId,
    taskQueue: workers.queues.main,
    input: JSON.stringify(bad),
    shot: 'invalid',
  });
  assert.deepEqual(await startedInput(workflowId), bad);

  const err = await env.client.workflow
    .getHandle(workflowId)
    .result()
    .then(
      () => assert.fail('an invalid config must fail the workflow'),
      (e: unknown) => e
    );
  assert.ok(err instanceof WorkflowFailedError);
  const cause = err.cause as { message: string; type?: string; nonRetryable?: boolean };
  assert.equal(cause.type, 'InvalidExperimentConfig');
  assert.equal(cause.nonRetryable, true);
  assert.match(cause.message, /invalid experiment config \(3 problems\)/);
  assert.match(cause.message, /- name: must be lower-case/);
  assert.match(cause.message, /- rollout\.groupSize: must be at least 2/);
  assert.match(cause.message, /- lerningRate: unknown key/);
  const described = await env.client.workflow.getHandle(workflowId).describe();
  assert.equal(described.status.name, 'FAILED');
  assert.equal(described.searchAttributes.OmniStatus?.[0], 'failed');

  assert.equal(await workflowPageStatus(page, runPage, 'Failed', 'invalid'), 'Failed');
  // The failure message with its problems is on the page a person lands on.
  await page.getByText('rollout.groupSize: must be at least 2', { exact: false }).first().waitFor();
  await page.close();
});
