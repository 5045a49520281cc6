import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logStep, stepLogFields } from '../../../activities/log.ts';
import type { StepMetrics } from '../../../schemas/records/step-metrics.ts';
import { startMetricsServer } from '../../../workers/metrics-server.ts';
import { registry, subscribeStepMetrics } from '../../../workers/telemetry.ts';

const run = { experiment: 'exp', runId: 'exp-run-1', base: 'file:///tmp/x', configHash: 'h' };
const task = {
  rewardMean: 0.5,
  components: {},
  accuracy: 0.75,
  thinkTokensMean: 10,
  answerTokensMean: 4,
  thinkCharsMean: 40,
  answerCharsMean: 8,
  responseTokensMean: 14,
  truncatedFraction: 0.25,
  zeroVarianceGroupFraction: 0.5,
  droppedUndefined: 0,
  samples: 8,
};
const metrics: StepMetrics = {
  step: 7,
  stage: 'math',
  window: 64,
  learningRate: 1e-6,
  loss: -0.125,
  clipFraction: 0.03,
  klApprox: 0.001,
  entropy: 1.5,
  rewardMean: 0.5,
  zeroVarianceGroupFraction: 0.5,
  truncatedFraction: 0.25,
  perTask: { math: task },
  timings: { rolloutMs: 100, scoringMs: 20, updateMs: 30.4 },
};

test('a logged step reaches the scrape endpoint with experiment, run, stage and task labels', async () => {
  subscribeStepMetrics();
  logStep(run, metrics);
  const server = await startMetricsServer({ registry, port: 0 });
  try {
    const res = await fetch(server.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const body = await res.text();
    const l = 'experiment="exp",run="exp-run-1",stage="math"';
    assert.match(body, new RegExp(`^omni_zero_step\\{${l}\\} 7$`, 'm'));
    assert.match(body, new RegExp(`^omni_zero_loss\\{${l}\\} -0.125$`, 'm'));
    assert.match(body, new RegExp(`^omni_zero_window_tokens\\{${l}\\} 64$`, 'm'));
    assert.match(body, new RegExp(`^omni_zero_task_accuracy\\{${l},task="math"\\} 0.75$`, 'm'));
    assert.match(body, new RegExp(`^omni_zero_steps_total\\{${l}\\} 1$`, 'm'));
    assert.equal((await fetch(server.url.replace('/metrics', '/nope'))).status, 404);
  } finally {
    await server.close();
  }
});

test('failed tracker calls reach the log line and the tracking_failures gauge', async () => {
  subscribeStepMetrics();
  const failing = { ...run, runId: 'exp-run-2' };
  logStep(failing, { ...metrics, trackingFailures: 3 });
  assert.equal(stepLogFields({ ...metrics, trackingFailures: 3 }).trackingFailures, 3);
  assert.equal(stepLogFields(metrics).trackingFailures, undefined);
  const ds = { draws: 2, groupsDrawn: 8, groupsKept: 5, groupsTrained: 4 };
  assert.deepEqual(stepLogFields({ ...metrics, dynamicSampling: ds }).dynamicSampling, ds);
  assert.equal(stepLogFields(metrics).dynamicSampling, undefined);
  const body = await registry.metrics();
  assert.match(body, /^omni_zero_tracking_failures\{experiment="exp",run="exp-run-2",stage="math"\} 3$/m);
  assert.doesNotMatch(body, /^omni_zero_tracking_failures\{experiment="exp",run="exp-run-1"/m);
});

test('the step log line: key metrics rounded, per task, ms summed over phases', () => {
  const f = stepLogFields(metrics);
  assert.deepEqual(f.rewardByTask, { math: 0.5 });
  assert.deepEqual(f.accuracyByTask, { math: 0.75 });
  assert.equal(f.ms, 150); // 100 + 20 + 30.4 = 150.4 → 150
  assert.equal(f.clipFraction, 0.03);
});
